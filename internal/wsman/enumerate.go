package wsman

import (
	"context"

	"fmt"

	"strconv"
	"strings"
	"time"
)

// Enumerate is the body of a WS-Enumeration Enumerate request, as WinRM takes it for WQL.
type Enumerate struct {
	// Dialect of Filter; DialectWQL for a WQL query. Empty with an empty Filter: enumerate the class.
	Dialect string
	Filter  string
	// Optimize asks for the first items in the response itself (wsman:OptimizeEnumeration).
	Optimize    bool
	MaxElements int
	// Mode is wsman:EnumerationMode, e.g. "EnumerateObjectAndEPR"; empty leaves it out.
	Mode string
}

func (b *Enumerate) writeBody(w *xmlWriter, _ *Header) {
	w.raw(`<n:Enumerate>`)
	if b.Mode != "" {
		w.element("w:EnumerationMode", b.Mode)
	}
	if b.Optimize {
		w.raw(`<w:OptimizeEnumeration/>`)
	}
	if b.MaxElements > 0 {
		w.raw(`<w:MaxElements>` + strconv.Itoa(b.MaxElements) + `</w:MaxElements>`)
	}
	if b.Filter != "" || b.Dialect != "" {
		w.elementWithAttr("w:Filter", "Dialect", b.Dialect, b.Filter)
	}
	w.raw(`</n:Enumerate>`)
}

// Enumerate interprets the body as an Enumerate request. wsman:Filter and wsen:Filter are read
// alike (MS-WSMV 3.1.4.1.13).
func (e *Envelope) Enumerate() (*Enumerate, error) {
	if e.Body == nil || e.Body.Local != "Enumerate" {
		return nil, decodeErrorf("body is not an Enumerate request")
	}
	b := &Enumerate{}
	var err error
	for _, c := range e.Body.Children {
		switch c.Local {
		case "EnumerationMode":
			b.Mode = strings.TrimSpace(c.Text)
		case "OptimizeEnumeration":
			b.Optimize = true
		case "MaxElements":
			if b.MaxElements, err = maxElements(c); err != nil {
				return nil, err
			}
		case "Filter":
			b.Dialect, _ = c.Attr("", "Dialect")
			b.Filter = c.Text
		}
	}
	return b, nil
}

// Pull is the body of a Pull request.
type Pull struct {
	Context     string
	MaxElements int
}

func (b *Pull) writeBody(w *xmlWriter, _ *Header) {
	w.raw(`<n:Pull>`)
	w.element("n:EnumerationContext", b.Context)
	if b.MaxElements > 0 {
		w.raw(`<n:MaxElements>` + strconv.Itoa(b.MaxElements) + `</n:MaxElements>`)
	}
	w.raw(`</n:Pull>`)
}

// Pull interprets the body as a Pull request.
func (e *Envelope) Pull() (*Pull, error) {
	if e.Body == nil || e.Body.Local != "Pull" {
		return nil, decodeErrorf("body is not a Pull request")
	}
	b := &Pull{}
	ctx := e.Body.Child("", "EnumerationContext")
	if ctx == nil {
		return nil, decodeErrorf("Pull has no EnumerationContext")
	}
	b.Context = strings.TrimSpace(ctx.Text)
	if m := e.Body.Child("", "MaxElements"); m != nil {
		var err error
		if b.MaxElements, err = maxElements(m); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// maxElements reads a MaxElements element: a positive integer.
func maxElements(el *Element) (int, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(el.Text), 10, 31)
	if err != nil || n == 0 {
		return 0, decodeErrorf("MaxElements %q is not a positive integer", truncate(el.Text))
	}
	return int(n), nil
}

// Release is the body of a Release request: the client abandons an enumeration.
type Release struct {
	Context string
}

func (b *Release) writeBody(w *xmlWriter, _ *Header) {
	w.raw(`<n:Release>`)
	w.element("n:EnumerationContext", b.Context)
	w.raw(`</n:Release>`)
}

// Release interprets the body as a Release request.
func (e *Envelope) Release() (*Release, error) {
	if e.Body == nil || e.Body.Local != "Release" {
		return nil, decodeErrorf("body is not a Release request")
	}
	ctx := e.Body.Child("", "EnumerationContext")
	if ctx == nil {
		return nil, decodeErrorf("Release has no EnumerationContext")
	}
	return &Release{Context: strings.TrimSpace(ctx.Text)}, nil
}

// EnumerationResult is the body of an EnumerateResponse or PullResponse: a context to pull with,
// the items of this batch, and whether the sequence ended.
type EnumerationResult struct {
	// Pull marks a PullResponse; otherwise it is an EnumerateResponse.
	Pull          bool
	Context       string
	Items         []*Instance
	EndOfSequence bool
}

func (b *EnumerationResult) writeBody(w *xmlWriter, _ *Header) {
	// In an EnumerateResponse the optimized items and EndOfSequence are wsman elements; in a
	// PullResponse they are wsen elements (MS-WSMV 4.1.2).
	elem, items := "n:EnumerateResponse", "w:"
	if b.Pull {
		elem, items = "n:PullResponse", "n:"
	}
	w.raw("<" + elem + ">")
	if b.Context != "" {
		w.element("n:EnumerationContext", b.Context)
	}
	if len(b.Items) > 0 || b.Pull {
		w.raw("<" + items + "Items>")
		for _, in := range b.Items {
			w.writeItem(in)
		}
		w.raw("</" + items + "Items>")
	}
	if b.EndOfSequence {
		w.raw("<" + items + "EndOfSequence/>")
	}
	w.raw("</" + elem + ">")
}

// EnumerationResult interprets the body as an EnumerateResponse or a PullResponse. Items in
// EnumerateObjectAndEPR mode (wsman:Item pairs) yield their object.
func (e *Envelope) EnumerationResult() (*EnumerationResult, error) {
	if e.Body == nil || (e.Body.Local != "EnumerateResponse" && e.Body.Local != "PullResponse") {
		return nil, decodeErrorf("body is neither an EnumerateResponse nor a PullResponse")
	}
	r := &EnumerationResult{Pull: e.Body.Local == "PullResponse"}
	for _, c := range e.Body.Children {
		switch c.Local {
		case "EnumerationContext":
			r.Context = strings.TrimSpace(c.Text)
		case "EndOfSequence":
			r.EndOfSequence = true
		case "Items":
			for _, item := range c.Children {
				if item.Local == "Item" && item.Space == NSWSMan {
					item = firstObject(item)
					if item == nil {
						continue
					}
				}
				r.Items = append(r.Items, decodeInstance(item))
			}
		}
	}
	return r, nil
}

func firstObject(item *Element) *Element {
	for _, c := range item.Children {
		if c.Local != "EndpointReference" {
			return c
		}
	}
	return nil
}

// ItemSize returns how many bytes an enumerated instance takes in a response, so a server can fill
// a batch up to the client's MaxEnvelopeSize without encoding the envelope again and again.
func ItemSize(in *Instance) (int, error) {
	var w xmlWriter
	w.writeItem(in)
	return w.b.Len(), w.err
}

// Enumerate runs a WQL query on a namespace resource URI (ending in /*) and calls fn for every
// instance, pulling page after page. If fn fails or ctx ends early, the enumeration is released.
func (c *Client) Enumerate(ctx context.Context, resourceURI, query string, fn func(*Instance) error) error {
	const maxElements = 32000 // WinRM's MaxBatchItems; MaxEnvelopeSize bounds each page anyway
	env, err := c.Do(ctx, Request{
		Header:     Header{ResourceURI: resourceURI, Action: ActionEnumerate},
		Body:       &Enumerate{Dialect: DialectWQL, Filter: query, Optimize: true, MaxElements: maxElements},
		Idempotent: true,
	})
	if err != nil {
		return err
	}
	res, err := env.EnumerationResult()
	if err != nil {
		return err
	}
	for pages := 1; ; pages++ {
		for _, in := range res.Items {
			if err := fn(in); err != nil {
				c.release(ctx, resourceURI, res)
				return err
			}
		}
		if res.EndOfSequence || res.Context == "" {
			return nil
		}
		if pages > 1_000_000 {
			c.release(ctx, resourceURI, res)
			return fmt.Errorf("wsman: enumeration at %s does not end", c.endpoint)
		}
		if err := ctx.Err(); err != nil {
			c.release(context.WithoutCancel(ctx), resourceURI, res)
			return err
		}
		// A Pull is not repeated: each one consumes its context, so a retry would skip a page.
		env, err := c.Do(ctx, Request{
			Header: Header{ResourceURI: resourceURI, Action: ActionPull},
			Body:   &Pull{Context: res.Context, MaxElements: maxElements},
		})
		if err != nil {
			return err
		}
		if res, err = env.EnumerationResult(); err != nil {
			return err
		}
	}
}

func (c *Client) release(ctx context.Context, resourceURI string, res *EnumerationResult) {
	if res.EndOfSequence || res.Context == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, _ = c.Do(ctx, Request{Header: Header{ResourceURI: resourceURI, Action: ActionRelease}, Body: &Release{Context: res.Context}})
}
