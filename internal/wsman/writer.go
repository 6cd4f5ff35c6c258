package wsman

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// xmlWriter builds an envelope as text. Marshalling is on the hot path of bulk calls, so it
// appends to one buffer rather than going through encoding/xml's reflection.
type xmlWriter struct {
	b   strings.Builder
	err error
}

func (w *xmlWriter) raw(s string) { w.b.WriteString(s) }

// text writes character data, escaped. A character XML 1.0 cannot carry is an error, not a
// silent replacement: the value would not survive the round trip.
func (w *xmlWriter) text(s string) {
	w.escape(s, false)
}

func (w *xmlWriter) attr(s string) {
	w.escape(s, true)
}

func (w *xmlWriter) escape(s string, inAttr bool) {
	last := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch {
		case r == '<':
			esc = "&lt;"
		case r == '>':
			esc = "&gt;"
		case r == '&':
			esc = "&amp;"
		case r == '"' && inAttr:
			esc = "&quot;"
		case r == '\r':
			esc = "&#xD;"
		case (r == '\n' || r == '\t') && inAttr:
			esc = "&#x" + strconv.FormatInt(int64(r), 16) + ";"
		case !isXMLChar(r) || (r == utf8.RuneError && size == 1):
			if w.err == nil {
				w.err = fmt.Errorf("wsman: value %q contains character %U, which XML cannot carry", truncate(s), r)
			}
			esc = ""
		default:
			i += size
			continue
		}
		w.b.WriteString(s[last:i])
		w.b.WriteString(esc)
		i += size
		last = i
	}
	w.b.WriteString(s[last:])
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// truncateAt is how much of a value error messages quote.
const truncateAt = 40

// truncate shortens a value quoted in an error message.
func truncate(s string) string {
	if len(s) <= truncateAt {
		return s
	}
	cut := truncateAt
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut-- // never split a character
	}
	return s[:cut] + "..."
}

// name returns s, to be written as the local part of an element name, after checking that it is
// one (an XML NCName). Names come from callers (methods, classes, properties): one that is not an
// NCName would make the envelope malformed, which Go's lenient decoder reads but WinRM does not.
func (w *xmlWriter) name(s string) string {
	if !isNCName(s) && w.err == nil {
		w.err = fmt.Errorf("wsman: %q is not an XML name (a method, class or property name)", truncate(s))
	}
	return s
}

// isNCName reports whether s is an XML name without a colon (an NCName). Beyond ASCII the XML 1.0
// editions disagree (the fifth allows far more letters than the fourth); only what the fourth
// edition allows, which every parser accepts and whose character classes encoding/xml implements,
// is taken.
func isNCName(s string) bool {
	if s == "" {
		return false
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			ascii = false
		case c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'):
		case i > 0 && (c == '-' || c == '.' || (c >= '0' && c <= '9')):
		default:
			return false
		}
	}
	if ascii {
		return true
	}
	tok, err := xml.NewDecoder(strings.NewReader("<" + s + "/>")).RawToken()
	el, ok := tok.(xml.StartElement)
	return err == nil && ok && el.Name.Space == "" && el.Name.Local == s
}

// element writes <name>text</name>.
func (w *xmlWriter) element(name, text string) {
	w.raw("<" + name + ">")
	w.text(text)
	w.raw("</" + name + ">")
}

// elementWithAttr writes <name attr="value">text</name>.
func (w *xmlWriter) elementWithAttr(name, attr, value, text string) {
	w.raw("<" + name + " " + attr + `="`)
	w.attr(value)
	w.raw(`">`)
	w.text(text)
	w.raw("</" + name + ">")
}
