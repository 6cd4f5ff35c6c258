package wsman

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits that keep a hostile or broken peer from exhausting memory or stack.
const (
	// DefaultMaxMessageSize bounds a message when the caller names no limit. Windows' own
	// MaxEnvelopeSizekb defaults to 500 KiB; responses of big enumerations stay well under this.
	DefaultMaxMessageSize = 32 << 20
	maxDepth              = 64
)

// ErrTooLarge is returned for a message longer than the limit it was read with.
var ErrTooLarge = errors.New("wsman: message exceeds the size limit")

// DecodeError reports a body that is not a well-formed WS-Management envelope.
type DecodeError struct {
	Msg string
	Err error
}

func (e *DecodeError) Error() string {
	if e.Err != nil {
		return "wsman: malformed SOAP message: " + e.Msg + ": " + e.Err.Error()
	}
	return "wsman: malformed SOAP message: " + e.Msg
}

func (e *DecodeError) Unwrap() error { return e.Err }

func decodeErrorf(format string, args ...any) error {
	return &DecodeError{Msg: fmt.Sprintf(format, args...)}
}

// Element is a parsed XML element, named by namespace URI and local name so that any prefix works.
type Element struct {
	Space, Local string
	Attrs        []xml.Attr
	Children     []*Element
	// Text is the concatenated character data directly inside the element.
	Text string
	// scope maps prefixes in force at this element to namespace URIs, for QName-valued text and
	// attributes such as xsi:type and s:Value.
	scope *nsScope
}

// nsScope holds the namespace declarations of one element and points to its parent's, so that a
// declaration costs the same however many are in force (copying every prefix into every element
// made a 500 KB message with many declarations take minutes to parse). Lookups walk at most
// maxDepth levels.
type nsScope struct {
	parent *nsScope
	decls  map[string]string
}

// lookup returns the URI bound to prefix ("" is the default namespace).
func (s *nsScope) lookup(prefix string) (string, bool) {
	for ; s != nil; s = s.parent {
		if uri, ok := s.decls[prefix]; ok {
			return uri, true
		}
	}
	return "", false
}

// Is reports whether the element has the given namespace and local name.
func (e *Element) Is(space, local string) bool {
	return e != nil && e.Space == space && e.Local == local
}

// Child returns the first child with that namespace and local name; an empty space matches any.
func (e *Element) Child(space, local string) *Element {
	if e == nil {
		return nil
	}
	for _, c := range e.Children {
		if c.Local == local && (space == "" || c.Space == space) {
			return c
		}
	}
	return nil
}

// Attr returns an attribute's value by namespace and local name; an empty space matches any.
func (e *Element) Attr(space, local string) (string, bool) {
	if e == nil {
		return "", false
	}
	for _, a := range e.Attrs {
		if a.Name.Local == local && (space == "" || a.Name.Space == space) {
			return a.Value, true
		}
	}
	return "", false
}

// ResolveQName splits a "prefix:local" value and resolves the prefix in the element's scope.
func (e *Element) ResolveQName(v string) (space, local string) {
	v = strings.TrimSpace(v)
	prefix, local, ok := strings.Cut(v, ":")
	if !ok {
		uri, _ := e.scope.lookup("")
		return uri, v
	}
	uri, _ := e.scope.lookup(prefix)
	return uri, local
}

// isNil reports xsi:nil="true".
func (e *Element) isNil() bool {
	v, ok := e.Attr(NSXSI, "nil")
	return ok && (strings.TrimSpace(v) == "true" || strings.TrimSpace(v) == "1")
}

// parseTree reads one XML document into an element tree. It rejects DTDs (and with them entity
// declarations), documents nested deeper than maxDepth, and anything after the root element.
func parseTree(data []byte) (*Element, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = func(charset string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "utf8") {
			return r, nil
		}
		return nil, fmt.Errorf("unsupported charset %q (only UTF-8 is accepted)", charset)
	}
	var (
		root  *Element
		stack []*Element
		raw   []xml.Name // the prefixed names, to check that end tags match (RawToken does not)
		text  [][]byte
	)
	base := &nsScope{decls: map[string]string{"xml": NSXML}}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &DecodeError{Msg: "invalid XML", Err: err}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, decodeErrorf("more than one root element")
			}
			if len(stack) >= maxDepth {
				return nil, decodeErrorf("elements nested deeper than %d levels", maxDepth)
			}
			parentScope := base
			if len(stack) > 0 {
				parentScope = stack[len(stack)-1].scope
			}
			el := &Element{scope: parentScope}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					if el.scope == parentScope {
						el.scope = &nsScope{parent: parentScope, decls: make(map[string]string, 2)}
					}
					if a.Name.Space == "xmlns" {
						el.scope.decls[a.Name.Local] = a.Value
					} else {
						el.scope.decls[""] = a.Value
					}
				}
			}
			var ok bool
			if el.Space, ok = resolvePrefix(el.scope, t.Name.Space, true); !ok {
				return nil, decodeErrorf("element <%s:%s> uses an undeclared namespace prefix", t.Name.Space, t.Name.Local)
			}
			el.Local = t.Name.Local
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				space := ""
				if a.Name.Space != "" {
					if space, ok = resolvePrefix(el.scope, a.Name.Space, false); !ok {
						return nil, decodeErrorf("attribute %s:%s uses an undeclared namespace prefix", a.Name.Space, a.Name.Local)
					}
				}
				el.Attrs = append(el.Attrs, xml.Attr{Name: xml.Name{Space: space, Local: a.Name.Local}, Value: a.Value})
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, el)
			} else {
				root = el
			}
			stack = append(stack, el)
			raw = append(raw, t.Name)
			text = append(text, nil)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, decodeErrorf("unexpected end element")
			}
			top := stack[len(stack)-1]
			if t.Name != raw[len(raw)-1] {
				return nil, decodeErrorf("element <%s> closed by </%s>", top.Local, t.Name.Local)
			}
			top.Text = string(text[len(text)-1])
			stack = stack[:len(stack)-1]
			raw = raw[:len(raw)-1]
			text = text[:len(text)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, decodeErrorf("text outside the root element")
				}
				continue
			}
			text[len(text)-1] = append(text[len(text)-1], t...)
		case xml.Directive:
			return nil, decodeErrorf("document type declarations are not accepted")
		case xml.ProcInst, xml.Comment:
		}
	}
	if root == nil {
		return nil, decodeErrorf("empty document")
	}
	if len(stack) > 0 {
		return nil, decodeErrorf("unexpected end of document inside <%s>", stack[len(stack)-1].Local)
	}
	return root, nil
}

func resolvePrefix(scope *nsScope, prefix string, isElement bool) (string, bool) {
	if prefix == "" {
		if isElement {
			uri, _ := scope.lookup("")
			return uri, true
		}
		return "", true
	}
	return scope.lookup(prefix)
}

// readLimited reads all of r, failing with ErrTooLarge past limit bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultMaxMessageSize
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, ErrTooLarge
	}
	return data, nil
}
