package wsman

import (
	"crypto/rand"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Header is the SOAP header of a WS-Management message, both ways.
type Header struct {
	To          string
	ResourceURI string
	Action      string
	MessageID   string
	// RelatesTo is the MessageID a response answers.
	RelatesTo string
	// MaxEnvelopeSize is the largest response, in bytes, the sender accepts; 0 leaves it out.
	MaxEnvelopeSize int
	// OperationTimeout is how long the server may work on the request; 0 leaves it out.
	OperationTimeout time.Duration
	// Locale is the xml:lang of wsman:Locale; empty leaves it out.
	Locale    string
	Selectors []Selector
}

// Selector is a key property naming one instance (wsman:SelectorSet).
type Selector struct {
	Name, Value string
}

// Body is the content of an envelope's s:Body.
type Body interface {
	writeBody(w *xmlWriter, h *Header)
}

// Marshal builds a complete envelope. The prefixes are fixed (s, a, w, n, xsi), as WinRM writes
// them; readers must not rely on that and this package's reader does not.
func Marshal(h Header, body Body) ([]byte, error) {
	var w xmlWriter
	w.raw(`<s:Envelope xmlns:s="` + NSSoap + `" xmlns:a="` + NSAddressing + `" xmlns:w="` + NSWSMan +
		`" xmlns:n="` + NSEnumeration + `" xmlns:xsi="` + NSXSI + `"><s:Header>`)
	if h.To != "" {
		w.element("a:To", h.To)
	}
	if h.ResourceURI != "" {
		w.raw(`<w:ResourceURI s:mustUnderstand="true">`)
		w.text(h.ResourceURI)
		w.raw(`</w:ResourceURI>`)
	}
	if h.RelatesTo == "" {
		// Only requests carry ReplyTo.
		w.raw(`<a:ReplyTo><a:Address s:mustUnderstand="true">` + AddressAnonymous + `</a:Address></a:ReplyTo>`)
	}
	if h.Action != "" {
		w.raw(`<a:Action s:mustUnderstand="true">`)
		w.text(h.Action)
		w.raw(`</a:Action>`)
	}
	if h.MaxEnvelopeSize > 0 {
		w.raw(`<w:MaxEnvelopeSize s:mustUnderstand="true">` + strconv.Itoa(h.MaxEnvelopeSize) + `</w:MaxEnvelopeSize>`)
	}
	if h.MessageID != "" {
		w.element("a:MessageID", h.MessageID)
	}
	if h.RelatesTo != "" {
		w.element("a:RelatesTo", h.RelatesTo)
	}
	if h.Locale != "" {
		w.raw(`<w:Locale xml:lang="`)
		w.attr(h.Locale)
		w.raw(`" s:mustUnderstand="false"/>`)
	}
	if len(h.Selectors) > 0 {
		w.raw(`<w:SelectorSet>`)
		for _, s := range h.Selectors {
			w.elementWithAttr("w:Selector", "Name", s.Name, s.Value)
		}
		w.raw(`</w:SelectorSet>`)
	}
	if h.OperationTimeout > 0 {
		w.element("w:OperationTimeout", FormatDuration(h.OperationTimeout))
	}
	w.raw(`</s:Header><s:Body>`)
	if body != nil {
		body.writeBody(&w, &h)
	}
	w.raw(`</s:Body></s:Envelope>`)
	if w.err != nil {
		return nil, w.err
	}
	return []byte(w.b.String()), nil
}

// FormatDuration writes an xs:duration the way WinRM does: PT60.000S.
func FormatDuration(d time.Duration) string {
	return fmt.Sprintf("PT%d.%03dS", d/time.Second, (d%time.Second)/time.Millisecond)
}

// ParseDuration reads the xs:duration forms WS-Management uses (PnDTnHnMn.nS).
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "P") {
		return 0, fmt.Errorf("wsman: %q is not an xs:duration", orig)
	}
	s = s[1:]
	var total float64
	inTime := false
	for s != "" {
		if s[0] == 'T' {
			inTime = true
			s = s[1:]
			continue
		}
		i := strings.IndexAny(s, "YMDHS")
		if i <= 0 {
			return 0, fmt.Errorf("wsman: %q is not an xs:duration", orig)
		}
		n, err := strconv.ParseFloat(s[:i], 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("wsman: %q is not an xs:duration", orig)
		}
		var unit float64
		switch s[i] {
		case 'Y':
			unit = 365 * 24 * 3600
		case 'D':
			unit = 24 * 3600
		case 'H':
			unit = 3600
		case 'M':
			if inTime {
				unit = 60
			} else {
				unit = 30 * 24 * 3600
			}
		case 'S':
			unit = 1
		}
		total += n * unit
		s = s[i+1:]
	}
	if total > float64(1<<62)/float64(time.Second) {
		return 0, fmt.Errorf("wsman: duration %q is too long", orig)
	}
	return time.Duration(total * float64(time.Second)), nil
}

// Envelope is a parsed message: its header, and its body's first element left for the typed
// accessors to interpret.
type Envelope struct {
	Header Header
	// Body is the first element inside s:Body, nil for an empty body.
	Body *Element
}

// Unmarshal reads and parses one SOAP 1.2 envelope of at most limit bytes (0: DefaultMaxMessageSize).
func Unmarshal(r io.Reader, limit int64) (*Envelope, error) {
	data, err := readLimited(r, limit)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// Parse parses one SOAP 1.2 envelope.
func Parse(data []byte) (*Envelope, error) {
	root, err := parseTree(data)
	if err != nil {
		return nil, err
	}
	if !root.Is(NSSoap, "Envelope") {
		if root.Local == "Envelope" {
			return nil, decodeErrorf("envelope namespace %q is not SOAP 1.2", root.Space)
		}
		return nil, decodeErrorf("root element is <%s>, not a SOAP envelope", root.Local)
	}
	env := &Envelope{}
	if h := root.Child(NSSoap, "Header"); h != nil {
		if err := env.Header.decode(h); err != nil {
			return nil, err
		}
	}
	body := root.Child(NSSoap, "Body")
	if body == nil {
		return nil, decodeErrorf("no SOAP body")
	}
	if len(body.Children) > 0 {
		env.Body = body.Children[0]
	}
	return env, nil
}

func (h *Header) decode(el *Element) error {
	for _, c := range el.Children {
		text := strings.TrimSpace(c.Text)
		switch c.Local {
		case "To":
			h.To = text
		case "ResourceURI":
			h.ResourceURI = text
		case "Action":
			h.Action = text
		case "MessageID":
			h.MessageID = text
		case "RelatesTo":
			h.RelatesTo = text
		case "MaxEnvelopeSize":
			n, err := strconv.ParseUint(text, 10, 31)
			if err != nil {
				return decodeErrorf("MaxEnvelopeSize %q is not a positive integer", truncate(text))
			}
			h.MaxEnvelopeSize = int(n)
		case "OperationTimeout":
			d, err := ParseDuration(text)
			if err != nil {
				return &DecodeError{Msg: "bad OperationTimeout", Err: err}
			}
			h.OperationTimeout = d
		case "Locale":
			h.Locale, _ = c.Attr(NSXML, "lang")
		case "SelectorSet":
			for _, s := range c.Children {
				if s.Local == "Selector" {
					name, _ := s.Attr("", "Name")
					h.Selectors = append(h.Selectors, Selector{Name: name, Value: s.Text})
				}
			}
		}
	}
	return nil
}

// Selector returns the value of a selector by name (case-insensitive, as WMI keys are).
func (h *Header) Selector(name string) (string, bool) {
	for _, s := range h.Selectors {
		if strings.EqualFold(s.Name, name) {
			return s.Value, true
		}
	}
	return "", false
}

// EmptyBody is a response with nothing in s:Body, such as ReleaseResponse.
type EmptyBody struct{}

func (EmptyBody) writeBody(*xmlWriter, *Header) {}

// NewUUID returns a random (version 4) UUID in upper case, as WinRM writes the UUIDs of message IDs
// ("uuid:" + NewUUID()).
func NewUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%08X-%04X-%04X-%04X-%012X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
