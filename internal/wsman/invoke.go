package wsman

import (
	"context"

	"fmt"
	"strconv"
	"strings"
)

// InvokeInput is the body of a CIM method call: <p:Method_INPUT> with one element per in-parameter,
// in the namespace of the resource URI (MS-WSMV 4.1.4).
type InvokeInput struct {
	Method string
	Params []Property
}

func (in *InvokeInput) writeBody(w *xmlWriter, h *Header) {
	w.writeParams(in.Method+"_INPUT", h.ResourceURI, in.Params, nil)
}

// InvokeOutput is the body of a method's response: <p:Method_OUTPUT> with the out-parameters and
// ReturnValue.
type InvokeOutput struct {
	Method string
	// ResourceURI is the namespace of the body, the class's resource URI. A response header carries
	// no ResourceURI, so a server must set it; empty falls back to the header's.
	ResourceURI string
	Params      []Property
	// ReturnValue is nil when the response carries none (some providers leave it out).
	ReturnValue *uint32
}

func (out *InvokeOutput) writeBody(w *xmlWriter, h *Header) {
	ns := out.ResourceURI
	if ns == "" {
		ns = h.ResourceURI
	}
	w.writeParams(out.Method+"_OUTPUT", ns, out.Params, out.ReturnValue)
}

func (w *xmlWriter) writeParams(elem, ns string, params []Property, rv *uint32) {
	if ns == "" && w.err == nil {
		// xmlns:p="" is not well-formed XML (Namespaces in XML 1.0, 3); libxml2 and expat reject it.
		w.err = fmt.Errorf("wsman: <%s> needs the resource URI as its namespace", elem)
	}
	w.raw(`<p:` + w.name(elem) + ` xmlns:p="`)
	w.attr(ns)
	w.raw(`">`)
	w.writeProperties("p", params, 0)
	if rv != nil {
		w.raw(`<p:ReturnValue>` + strconv.FormatUint(uint64(*rv), 10) + `</p:ReturnValue>`)
	}
	w.raw(`</p:` + elem + `>`)
}

// Param returns a parameter by name (case-insensitive).
func (in *InvokeInput) Param(name string) (Property, bool) {
	return (&Instance{Properties: in.Params}).Property(name)
}

// Param returns an out-parameter by name (case-insensitive).
func (out *InvokeOutput) Param(name string) (Property, bool) {
	return (&Instance{Properties: out.Params}).Property(name)
}

// InvokeInput interprets the body as a method call. The method is the body element's name less
// its _INPUT suffix, whatever its prefix.
func (e *Envelope) InvokeInput() (*InvokeInput, error) {
	if e.Body == nil || !strings.HasSuffix(e.Body.Local, "_INPUT") {
		return nil, decodeErrorf("body is not a method call (<Method_INPUT>)")
	}
	return &InvokeInput{
		Method: strings.TrimSuffix(e.Body.Local, "_INPUT"),
		Params: decodeProperties(e.Body),
	}, nil
}

// InvokeOutput interprets the body as the response of method.
func (e *Envelope) InvokeOutput(method string) (*InvokeOutput, error) {
	if e.Body == nil || e.Body.Local != method+"_OUTPUT" {
		got := "an empty body"
		if e.Body != nil {
			got = "<" + e.Body.Local + ">"
		}
		return nil, decodeErrorf("expected <%s_OUTPUT>, got %s", method, got)
	}
	out := &InvokeOutput{Method: method, ResourceURI: e.Body.Space}
	for _, p := range decodeProperties(e.Body) {
		if p.Name != "ReturnValue" {
			out.Params = append(out.Params, p)
			continue
		}
		if len(p.Values) != 1 || p.Values[0].Nil || p.Values[0].Instance != nil {
			return nil, decodeErrorf("ReturnValue of %s is not a single number", method)
		}
		rv, err := ParseUint32(p.Values[0].Text)
		if err != nil {
			return nil, decodeErrorf("ReturnValue of %s is %q, not a uint32", method, truncate(p.Values[0].Text))
		}
		out.ReturnValue = &rv
	}
	return out, nil
}

// ParseUint32 reads a uint32 as CIM writes it; WMI also writes HRESULTs as negative int32s, and
// some stacks write hex, so both are accepted.
func ParseUint32(s string) (uint32, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		v, err := strconv.ParseUint(s[2:], 16, 32)
		return uint32(v), err
	}
	if strings.HasPrefix(s, "-") {
		v, err := strconv.ParseInt(s, 10, 32)
		return uint32(int32(v)), err
	}
	v, err := strconv.ParseUint(s, 10, 32)
	return uint32(v), err
}

// ParamSize returns how many bytes a method parameter holding one embedded instance takes in a
// request, so a client can fill a batch up to MaxEnvelopeSize without encoding it again and again.
func ParamSize(name string, in *Instance) (int, error) {
	var w xmlWriter
	w.writeProperties("p", []Property{Embedded(name, in)}, 0)
	return w.b.Len(), w.err
}

// Invoke calls a class-level (static) CIM method: no SelectorSet, as the IPAM methods need.
func (c *Client) Invoke(ctx context.Context, resourceURI, method string, params []Property, idempotent bool) (*InvokeOutput, error) {
	env, err := c.Do(ctx, Request{
		Header:     Header{ResourceURI: resourceURI, Action: MethodAction(resourceURI, method)},
		Body:       &InvokeInput{Method: method, Params: params},
		Idempotent: idempotent,
	})
	if err != nil {
		return nil, err
	}
	return env.InvokeOutput(method)
}
