package wsman

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/winipam/terraform-provider-ipam/internal/fuzztest"
)

// FuzzParseEnvelope feeds the client's response decoding whatever a server might send: Parse and
// then every accessor the client and the emulator call must return (no panic, no hang), and a
// failure must be a *DecodeError, so callers can tell a broken peer from a transport failure.
// Seeds are the recorded and golden envelopes the codec is tested with, and the hostile documents
// of internal/fuzztest (shared with the emulator's FuzzServeRequest).
func FuzzParseEnvelope(f *testing.F) {
	fuzztest.AddFiles(f, filepath.Join("testdata", "golden", "*.xml"), filepath.Join("testdata", "doc", "*.xml"),
		filepath.Join("testdata", "windows", "*.xml"))
	fuzztest.AddHostileSOAP(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzztest.WithinDeadline(t, func() { checkParseEnvelope(t, data) })
	})
}

func wantDecodeError(t *testing.T, what string, err error) {
	t.Helper()
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("%s: error %v is a %T, want *DecodeError", what, err, err)
	}
	if de.Msg == "" {
		t.Fatalf("%s: DecodeError without a message: %v", what, err)
	}
	if !strings.HasPrefix(err.Error(), "wsman: malformed SOAP message: ") {
		t.Fatalf("%s: error %q does not say the message is malformed", what, err)
	}
}

func checkParseEnvelope(t *testing.T, data []byte) {
	// The size limit is checked before parsing: one byte short of the message is ErrTooLarge
	// (a limit of 0 means the default).
	if len(data) > 1 {
		if _, err := Unmarshal(bytes.NewReader(data), int64(len(data)-1)); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("Unmarshal with a limit below the message's size: %v, want ErrTooLarge", err)
		}
	}
	env, err := Parse(data)
	if err != nil {
		if env != nil {
			t.Fatalf("Parse returned an envelope with its error %v", err)
		}
		wantDecodeError(t, "Parse", err)
		return
	}
	if env == nil {
		t.Fatal("Parse returned neither an envelope nor an error")
	}
	// Unmarshal at exactly the message's size reads it all and agrees with Parse.
	if env2, err := Unmarshal(bytes.NewReader(data), int64(len(data))); err != nil || !reflect.DeepEqual(env2.Header, env.Header) {
		t.Fatalf("Unmarshal at the message's size: %v", err)
	}

	if f, ok := env.Fault(); ok {
		if f == nil {
			t.Fatal("Fault reported a fault but returned nil")
		}
		if f.Error() == "" {
			t.Fatal("a fault with an empty error message")
		}
		_ = f.Text()
	} else if f != nil {
		t.Fatal("Fault returned a fault but said there was none")
	}

	out, err := env.InvokeOutput("X")
	switch {
	case err != nil:
		wantDecodeError(t, "InvokeOutput", err)
	case out.Method != "X":
		t.Fatalf("InvokeOutput(X) returned method %q", out.Method)
	default:
		for _, p := range out.Params {
			walkProperty(t, p, 0)
		}
	}

	res, err := env.EnumerationResult()
	if err != nil {
		wantDecodeError(t, "EnumerationResult", err)
	} else {
		for _, in := range res.Items {
			walkInstance(t, in, 0)
		}
	}

	in, err := env.Instance()
	if err != nil {
		wantDecodeError(t, "Instance", err)
	} else {
		walkInstance(t, in, 0)
	}

	// The emulator's side of the same decoder.
	if _, err := env.InvokeInput(); err != nil {
		wantDecodeError(t, "InvokeInput", err)
	}
	if _, err := env.Enumerate(); err != nil {
		wantDecodeError(t, "Enumerate", err)
	}
	if _, err := env.Pull(); err != nil {
		wantDecodeError(t, "Pull", err)
	}
	if _, err := env.Release(); err != nil {
		wantDecodeError(t, "Release", err)
	}
	_ = env.IsIdentify()
	_, _ = env.Header.Selector("InstanceID")
}

// walkInstance reads every property the way the IPAM client does, checking the tree is bounded.
func walkInstance(t *testing.T, in *Instance, depth int) {
	t.Helper()
	if in == nil {
		t.Fatal("a nil instance in a decoded message")
	}
	if depth > maxDepth {
		t.Fatalf("instances nested %d deep, past the parser's limit of %d", depth, maxDepth)
	}
	for _, p := range in.Properties {
		if !in.Has(p.Name) {
			t.Fatalf("instance %s lists %q but Has says it is absent", in.Class, p.Name)
		}
		_, _ = in.Text(p.Name)
		_ = in.Instances(p.Name)
		walkProperty(t, p, depth)
	}
}

func walkProperty(t *testing.T, p Property, depth int) {
	t.Helper()
	for _, v := range p.Values {
		if v.Nil && (v.Instance != nil || v.Text != "") {
			t.Fatalf("property %s: a null value carries data %+v", p.Name, v)
		}
		if v.Instance != nil {
			walkInstance(t, v.Instance, depth+1)
		}
	}
}

// FuzzRoundTrip builds a method call whose parameters, and an embedded instance among them, have
// names and values taken from the input, and checks that Marshal either refuses it (a name that is
// not an XML name, a character XML cannot carry) or writes what Parse reads back exactly.
//
// The input is a method name, the embedded instance's class and resource URI, and a list of
// fields separated by NUL: name, value, name, value... A value that is just \x01 is null.
func FuzzRoundTrip(f *testing.F) {
	f.Add("AddProviderAddressSpace", "MSFT_IPAM_AddressSpace", ipamURI, "Name\x00DC-West\x00Owner\x00netops\x00Description\x00\x01")
	f.Add("BulkAddOrUpdateAddressSpace", "MSFT_IPAM_AddressSpace", ipamURI, "Name\x00 a <b> & \"c\" 'd' \r\n\te \x00Name\x00second\x00CustomConfiguration\x00Region=EU;Tier=Gold")
	f.Add("M", "C_Type", "urn:x?a=\"b\"&c=<d>\t\n\r", "x\x00\x00y\x00\x01\x00z\x00\u00e9\u4e16\U0001F600")
	f.Add("M", "C", ipamURI, "a b\x00v")
	f.Add("M", "C", ipamURI, "p:q\x00v")
	f.Add("M\x00", "C", ipamURI, "a\x00\x7f\ufffd")
	f.Add("M", "C", ipamURI, "a\x00\xff")
	f.Add("M", "C", "", "a\x00b")
	f.Add("M", "C", ipamURI, "Item\x00scalar\x00Item\x00\x01")
	f.Add("M", "C", NSCIM, "Location\x00epr\x00Name\x00x")
	f.Fuzz(func(t *testing.T, method, class, uri, fields string) {
		fuzztest.WithinDeadline(t, func() { checkRoundTrip(t, method, class, uri, fields) })
	})
}

func checkRoundTrip(t *testing.T, method, class, uri, fields string) {
	var props []Property
	parts := strings.Split(fields, "\x00")
	for i := 0; i+1 < len(parts); i += 2 {
		if parts[i+1] == "\x01" {
			props = append(props, Null(parts[i]))
		} else {
			props = append(props, Scalar(parts[i], parts[i+1]))
		}
	}
	inst := NewInstance(class, uri, props...)
	params := append(append([]Property(nil), props...), Embedded("Item", inst))
	h := Header{To: "https://ipam01.corp.example:5986/wsman", ResourceURI: ipamURI, Action: ipamURI + "/" + method,
		MessageID: "uuid:0B6B1E0A-2B8D-4A55-9C3B-1E6A2F3C4D5E", MaxEnvelopeSize: 512000, OperationTimeout: time.Minute, Locale: "en-US"}
	msg, err := Marshal(h, &InvokeInput{Method: method, Params: params})
	if err != nil {
		if msg != nil {
			t.Fatalf("Marshal returned a message with its error %v", err)
		}
		if !unencodable(method, class, uri, props) {
			t.Fatalf("Marshal refused method %q, class %q, URI %q, properties %+v: %v", method, class, uri, props, err)
		}
		return
	}
	if unencodable(method, class, uri, props) {
		t.Fatalf("Marshal accepted method %q, class %q, URI %q, properties %+v, which XML cannot carry:\n%s", method, class, uri, props, msg)
	}
	env, err := Parse(msg)
	if err != nil {
		t.Fatalf("Parse of what Marshal wrote: %v\n%s", err, msg)
	}
	if !reflect.DeepEqual(env.Header, h) {
		t.Fatalf("header round trip:\n got %+v\nwant %+v", env.Header, h)
	}
	in, err := env.InvokeInput()
	if err != nil {
		t.Fatalf("InvokeInput: %v\n%s", err, msg)
	}
	if in.Method != method {
		t.Fatalf("method %q came back as %q", method, in.Method)
	}
	// WS-Management writes an array as the element repeated, so properties of the same name come
	// back as one property holding every value, in order. In the CIM common namespace, Location
	// is an instance's EPR, not a property, and is skipped.
	instProps := foldArrays(props)
	if uri == NSCIM {
		instProps = slices.DeleteFunc(instProps, func(p Property) bool { return p.Name == "Location" })
	}
	wantInst := NewInstance(class, uri, instProps...)
	want := &InvokeInput{Method: method, Params: foldArrays(append(append([]Property(nil), props...), Embedded("Item", wantInst)))}
	if len(in.Params) != len(want.Params) {
		t.Fatalf("parameters:\n got %#v\nwant %#v", in.Params, want.Params)
	}
	for i := range want.Params {
		if !reflect.DeepEqual(normalize(in.Params[i]), normalize(want.Params[i])) {
			t.Fatalf("parameter %d:\n got %#v\nwant %#v\n%s", i, in.Params[i], want.Params[i], msg)
		}
	}
}

// foldArrays merges properties of the same name into one, keeping the first one's position.
func foldArrays(props []Property) []Property {
	var out []Property
	index := map[string]int{}
	for _, p := range props {
		if i, ok := index[p.Name]; ok {
			out[i].Values = append(out[i].Values, p.Values...)
			continue
		}
		index[p.Name] = len(out)
		out = append(out, Property{Name: p.Name, Values: append([]Value(nil), p.Values...)})
	}
	return out
}

// normalize makes an empty property list and a nil one compare equal.
func normalize(p Property) Property {
	for i, v := range p.Values {
		if v.Instance != nil && len(v.Instance.Properties) == 0 {
			c := *v.Instance
			c.Properties = nil
			p.Values[i].Instance = &c
		}
	}
	return p
}

// unencodable reports whether an envelope with these names and values cannot be written as XML:
// a name that is not an XML name without a colon (NCName), text with a character XML 1.0 cannot
// carry, or an empty namespace URI (xmlns:p="" is not well-formed in XML 1.0).
func unencodable(method, class, uri string, props []Property) bool {
	if !validNCName(method+"_INPUT") || !validNCName(class) || uri == "" || !isXMLText(uri) {
		return true
	}
	for _, p := range props {
		if !validNCName(p.Name) {
			return true
		}
		for _, v := range p.Values {
			if !v.Nil && !isXMLText(v.Text) {
				return true
			}
		}
	}
	return false
}

func isXMLText(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return false
			}
		}
		if !isXMLChar(r) {
			return false
		}
	}
	return true
}

// validNCName reports whether s is an NCName that both XML 1.0 editions in use accept: the fifth
// edition's Name production without ':', written out independently of the code under test, and
// the older editions' (which Go's decoder implements, as do older parsers).
func validNCName(s string) bool {
	if !ncName5(s) {
		return false
	}
	tok, err := xml.NewDecoder(strings.NewReader("<" + s + "/>")).RawToken()
	el, ok := tok.(xml.StartElement)
	return err == nil && ok && el.Name.Local == s
}

func ncName5(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for i, r := range s {
		start := r == '_' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') ||
			(r >= 0xC0 && r <= 0xD6) || (r >= 0xD8 && r <= 0xF6) || (r >= 0xF8 && r <= 0x2FF) ||
			(r >= 0x370 && r <= 0x37D) || (r >= 0x37F && r <= 0x1FFF) || (r >= 0x200C && r <= 0x200D) ||
			(r >= 0x2070 && r <= 0x218F) || (r >= 0x2C00 && r <= 0x2FEF) || (r >= 0x3001 && r <= 0xD7FF) ||
			(r >= 0xF900 && r <= 0xFDCF) || (r >= 0xFDF0 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0xEFFFF)
		if start {
			continue
		}
		if i == 0 {
			return false
		}
		if r != '-' && r != '.' && (r < '0' || r > '9') && r != 0xB7 &&
			(r < 0x300 || r > 0x36F) && (r < 0x203F || r > 0x2040) {
			return false
		}
	}
	return true
}

// TestParseNamespaceFlood is the regression test of a parser that copied every namespace
// declaration in force into each element that declared one more: a 500 KB message with thousands
// of declarations took over a minute and a half. It must now parse in linear time.
func TestParseNamespaceFlood(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`<s:Envelope xmlns:s="` + NSSoap + `"`)
	for i := 0; i < 12000; i++ {
		fmt.Fprintf(&b, ` xmlns:a%d="u"`, i)
	}
	b.WriteString(`><s:Body><x>`)
	for b.Len() < 500*1024-64 {
		b.WriteString(`<y xmlns:z="v"/>`)
	}
	b.WriteString(`</x></s:Body></s:Envelope>`)
	start := time.Now()
	env, err := Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 20*time.Second {
		// Generous, for a loaded machine: the quadratic parser took 100s, the linear one 40ms.
		t.Fatalf("a %d-byte message with 12000 namespace declarations took %s to parse", b.Len(), elapsed)
	}
	if env.Body == nil || len(env.Body.Children) == 0 {
		t.Fatal("body lost")
	}
	// The declarations are all still in force, and the innermost wins.
	y := env.Body.Children[0]
	if s, l := y.ResolveQName("a11999:v"); s != "u" || l != "v" {
		t.Fatalf("a11999 resolves to %q", s)
	}
	if s, _ := y.ResolveQName("z:v"); s != "v" {
		t.Fatalf("z resolves to %q", s)
	}
	if s, _ := env.Body.ResolveQName("z:v"); s != "" {
		t.Fatalf("z leaks out of its element: %q", s)
	}
}
