package ipam

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode"
)

func TestParseCustomConfiguration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     CustomConfiguration
	}{
		{"empty", "", CustomConfiguration{}},
		{"blanks", " \t\r\n ", CustomConfiguration{}},
		{"only separators", ";;;", CustomConfiguration{}},
		{"separators and blanks", " ; ;\t; ", CustomConfiguration{}},
		{"one", "Region=EU", CustomConfiguration{"Region": "EU"}},
		{"two", "Region=EU;Tier=Gold", CustomConfiguration{"Region": "EU", "Tier": "Gold"}},
		{"order kept out of the map", "b=2;a=1", CustomConfiguration{"a": "1", "b": "2"}},
		{"blanks around everything", "  Region = EU ;\tTier\t=\tGold\t;  ", CustomConfiguration{"Region": "EU", "Tier": "Gold"}},
		{"empty segments", ";Region=EU;;;Tier=Gold;", CustomConfiguration{"Region": "EU", "Tier": "Gold"}},
		{"inner blanks kept", "Data Center = North West", CustomConfiguration{"Data Center": "North West"}},
		{"empty value", "Region=", CustomConfiguration{"Region": ""}},
		{"blank value", "Region=  ;Tier=x", CustomConfiguration{"Region": "", "Tier": "x"}},
		{"value keeps '='", "Expr=a=b", CustomConfiguration{"Expr": "a=b"}},
		{"value of only '='", "Expr==", CustomConfiguration{"Expr": "="}},
		{"value keeps '=' and inner blanks", "Expr = a = b ", CustomConfiguration{"Expr": "a = b"}},
		{"case kept", "rEgIoN=eU", CustomConfiguration{"rEgIoN": "eU"}},
		{"unicode", "Région=Zürich;名前=値", CustomConfiguration{"Région": "Zürich", "名前": "値"}},
		{"unicode blanks trimmed", "\u00a0Region\u3000=\u2003EU\u00a0", CustomConfiguration{"Region": "EU"}},
		{"names that differ beyond case", "i=1;İ=2", CustomConfiguration{"i": "1", "İ": "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCustomConfiguration(tt.in)
			if err != nil {
				t.Fatalf("ParseCustomConfiguration(%q) = %v", tt.in, err)
			}
			if got == nil {
				t.Fatalf("ParseCustomConfiguration(%q) = nil map", tt.in)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseCustomConfiguration(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseCustomConfigurationErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		// wantText is a part the message must hold.
		wantText string
	}{
		{"missing '='", "Region", `"Region"`},
		{"missing '=' after a good entry", "Region=EU;Tier", `"Tier"`},
		{"missing '=' before a good entry", "Tier;Region=EU", `"Tier"`},
		{"empty name", "=EU", "no field name"},
		{"blank name", "  = EU", "no field name"},
		{"only '='", "=", "no field name"},
		{"same name twice", "Region=EU;Region=US", `"Region"`},
		{"same name twice, same value", "a=1;a=1", `"a"`},
		{"names differing in case", "Region=EU;REGION=US", "twice"},
		{"names differing in case and blanks", "region=EU; REGION =US", "twice"},
		{"names equal under case folding", "s=1;\u017f=2", "twice"}, // LATIN SMALL LETTER LONG S
		{"kelvin sign", "k=1;\u212a=2", "twice"},                    // KELVIN SIGN
		{"greek final sigma", "\u03c3=1;\u03c2=2", "twice"},         // σ and ς
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCustomConfiguration(tt.in)
			wantInvalid(t, fmt.Sprintf("ParseCustomConfiguration(%q)", tt.in), err, tt.wantText)
			if got != nil {
				t.Errorf("ParseCustomConfiguration(%q) returned %#v with its error", tt.in, got)
			}
		})
	}
}

func TestCustomConfigurationString(t *testing.T) {
	// CustomConfiguration is a fmt.Stringer: fmt.Sprint gives the same.
	str := func(c CustomConfiguration) string {
		if s := fmt.Sprint(c); s != c.String() {
			return fmt.Sprintf("fmt.Sprint %q, String %q", s, c.String())
		}
		return c.String()
	}
	checkExamples(t, "String", str, []example[CustomConfiguration, string]{
		{nil, ""},
		{CustomConfiguration{}, ""},
		{CustomConfiguration{"Region": "EU"}, "Region=EU"},
		{CustomConfiguration{"Region": ""}, "Region="},
		{CustomConfiguration{"b": "2", "c": "3", "a": "1"}, "a=1;b=2;c=3"},
		// Byte order would put every upper-case letter first.
		{CustomConfiguration{"Zeta": "z", "alpha": "a", "Beta": "b"}, "alpha=a;Beta=b;Zeta=z"},
		// '_' sorts between the upper- and the lower-case letters in byte order.
		{CustomConfiguration{"A": "1", "_": "2", "b": "3"}, "_=2;A=1;b=3"},
		{CustomConfiguration{"ab": "2", "a": "1", "AB": "3"}, "a=1;AB=3;ab=2"},
		// Names equal but for case (not valid, but still formatted the same every time): byte order breaks the tie.
		{CustomConfiguration{"a": "3", "A": "2", "b": "1"}, "A=2;a=3;b=1"},
		{CustomConfiguration{"rEGION": "3", "Region": "2", "REGION": "1"}, "REGION=1;Region=2;rEGION=3"},
		{CustomConfiguration{"Expr": "a=b"}, "Expr=a=b"},
		{CustomConfiguration{"Data Center": "North West", "x": "y"}, "Data Center=North West;x=y"},
		{CustomConfiguration{"Zürich": "1", "名前": "値", "apple": "2"}, "apple=2;Zürich=1;名前=値"},
	})
}

// The same map formats the same every time, however Go's map iteration orders it and in whatever
// order it was built.
func TestCustomConfigurationStringStable(t *testing.T) {
	t.Parallel()
	var names []string
	for i := range 64 {
		names = append(names, fmt.Sprintf("field%02d", i), fmt.Sprintf("FIELD%02dx", i), fmt.Sprintf("Field%02d_", i))
	}
	forward := CustomConfiguration{}
	for i, n := range names {
		forward[n] = fmt.Sprint(i)
	}
	want := forward.String()
	wantNames := forward.Names()
	for i := range 200 {
		if got := forward.String(); got != want {
			t.Fatalf("format %d: String() = %q, want %q", i, got, want)
		}
		if got := forward.Names(); !reflect.DeepEqual(got, wantNames) {
			t.Fatalf("format %d: Names() = %q, want %q", i, got, wantNames)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 50 {
		perm := r.Perm(len(names))
		built := CustomConfiguration{}
		for _, j := range perm {
			built[names[j]] = forward[names[j]]
		}
		if got := built.String(); got != want {
			t.Fatalf("build %d: String() = %q, want %q", i, got, want)
		}
	}
}

func TestCustomConfigurationNames(t *testing.T) {
	// The names, comma-separated; Names never returns nil.
	names := func(c CustomConfiguration) string {
		if n := c.Names(); n != nil {
			return strings.Join(n, ",")
		}
		return "nil"
	}
	checkExamples(t, "Names", names, []example[CustomConfiguration, string]{
		{nil, ""},
		{CustomConfiguration{}, ""},
		{CustomConfiguration{"b": "", "C": "", "a": "", "D": ""}, "a,b,C,D"},
		{CustomConfiguration{"ab": "", "Ab": "", "aB": "", "AB": ""}, "AB,Ab,aB,ab"},
		{CustomConfiguration{"Region2": "", "region": "", "Region10": ""}, "region,Region10,Region2"},
	})
}

func TestCustomConfigurationGet(t *testing.T) {
	t.Parallel()
	cc := CustomConfiguration{"Region": "EU", "Tier": "", "Straße": "x"}
	tests := []struct {
		name   string
		cc     CustomConfiguration
		key    string
		want   string
		wantOK bool
	}{
		{"exact", cc, "Region", "EU", true},
		{"lower", cc, "region", "EU", true},
		{"upper", cc, "REGION", "EU", true},
		{"empty value is present", cc, "tier", "", true},
		{"unicode case", cc, "STRAßE", "x", true},
		{"missing", cc, "Zone", "", false},
		{"no trimming", cc, " Region", "", false},
		{"empty name", cc, "", "", false},
		{"nil map", nil, "Region", "", false},
		// With two spellings present (not valid, but possible in a map), the exact one wins.
		{"exact spelling first", CustomConfiguration{"a": "lower", "A": "upper"}, "A", "upper", true},
		{"exact spelling first, other", CustomConfiguration{"a": "lower", "A": "upper"}, "a", "lower", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tt.cc.Get(tt.key)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Get(%q) = %q, %v; want %q, %v", tt.key, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestCustomConfigurationEqual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b CustomConfiguration
		want bool
	}{
		{"nil and nil", nil, nil, true},
		{"nil and empty", nil, CustomConfiguration{}, true},
		{"same", CustomConfiguration{"a": "1", "b": "2"}, CustomConfiguration{"b": "2", "a": "1"}, true},
		{"names differ in case", CustomConfiguration{"Region": "EU"}, CustomConfiguration{"REGION": "EU"}, true},
		{"names differ in unicode case", CustomConfiguration{"Straße": "1"}, CustomConfiguration{"STRAẞE": "1"}, true},
		{"values differ in case", CustomConfiguration{"Region": "EU"}, CustomConfiguration{"Region": "eu"}, false},
		{"values differ", CustomConfiguration{"Region": "EU"}, CustomConfiguration{"Region": "US"}, false},
		{"empty value and missing", CustomConfiguration{"Region": ""}, CustomConfiguration{}, false},
		{"empty value and nil", CustomConfiguration{"Region": ""}, nil, false},
		{"extra field", CustomConfiguration{"a": "1"}, CustomConfiguration{"a": "1", "b": "2"}, false},
		{"different fields", CustomConfiguration{"a": "1"}, CustomConfiguration{"b": "1"}, false},
		{"values differ in blanks", CustomConfiguration{"a": "1"}, CustomConfiguration{"a": "1 "}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.a.Equal(tt.b); got != tt.want {
				t.Errorf("%#v.Equal(%#v) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := tt.b.Equal(tt.a); got != tt.want {
				t.Errorf("%#v.Equal(%#v) = %v, want %v", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

func TestCustomConfigurationValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       CustomConfiguration
		ok       bool
		wantText string
	}{
		{"nil", nil, true, ""},
		{"empty", CustomConfiguration{}, true, ""},
		{"simple", CustomConfiguration{"Region": "EU", "Tier": "Gold"}, true, ""},
		{"empty value", CustomConfiguration{"Region": ""}, true, ""},
		{"inner blanks", CustomConfiguration{"Data Center": "North West"}, true, ""},
		{"unicode", CustomConfiguration{"Région": "Zürich", "名前": "値"}, true, ""},
		// U+0130 lower-cases to 'i' in Go but is not equal to it under case folding.
		{"names unequal under case folding", CustomConfiguration{"i": "1", "İ": "2"}, true, ""},

		{"empty name", CustomConfiguration{"": "x"}, false, "blank"},
		{"blank name", CustomConfiguration{"  ": "x"}, false, "blank"},
		{"';' in name", CustomConfiguration{"a;b": "x"}, false, `"a;b"`},
		{"'=' in name", CustomConfiguration{"a=b": "x"}, false, `"a=b"`},
		{"';' in value", CustomConfiguration{"a": "x;y"}, false, `"a"`},
		{"'=' in value", CustomConfiguration{"a": "x=y"}, false, `"a"`},
		{"value only ';'", CustomConfiguration{"a": ";"}, false, `"a"`},
		{"leading blank in name", CustomConfiguration{" a": "x"}, false, "blanks"},
		{"trailing blank in name", CustomConfiguration{"a\t": "x"}, false, "blanks"},
		{"trailing unicode blank in name", CustomConfiguration{"a\u00a0": "x"}, false, "blanks"},
		{"leading blank in value", CustomConfiguration{"a": " x"}, false, "blanks"},
		{"trailing blank in value", CustomConfiguration{"a": "x\n"}, false, "blanks"},
		{"blank value", CustomConfiguration{"a": " "}, false, "blanks"},
		{"names differing in case", CustomConfiguration{"Region": "EU", "REGION": "US"}, false, "case"},
		{"names differing in case among others", CustomConfiguration{"a": "1", "Region": "EU", "m": "2", "region": "US", "z": ""}, false, "case"},
		// Names that strings.EqualFold, and so Get, Equal and ParseCustomConfiguration, treat as one.
		{"names equal under case folding: long s", CustomConfiguration{"s": "1", "\u017f": "2"}, false, "case"},
		{"names equal under case folding: kelvin", CustomConfiguration{"k": "1", "\u212a": "2"}, false, "case"},
		{"names equal under case folding: final sigma", CustomConfiguration{"\u03c3x": "1", "\u03c2x": "2", "\u03c2y": "3"}, false, "case"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.in.Validate()
			if !tt.ok {
				wantInvalid(t, fmt.Sprintf("Validate(%#v)", tt.in), err, tt.wantText)
			} else if err != nil {
				t.Errorf("Validate(%#v) = %v, want nil", tt.in, err)
			}
		})
	}
}

// checkRoundTrip checks that a valid configuration survives the wire form: Parse(String()) holds
// the same fields with the same values, and String is a fixed point.
func checkRoundTrip(t testing.TB, cc CustomConfiguration) {
	t.Helper()
	s := cc.String()
	back, err := ParseCustomConfiguration(s)
	if err != nil {
		t.Fatalf("%#v is valid, but its String() %q does not parse: %v", cc, s, err)
	}
	if !back.Equal(cc) || !cc.Equal(back) {
		t.Fatalf("%#v formats as %q, which parses as %#v", cc, s, back)
	}
	if s2 := back.String(); s2 != s {
		t.Fatalf("String() is not a fixed point: %q parses and formats as %q", s, s2)
	}
}

func TestCustomConfigurationRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   CustomConfiguration
	}{
		{"nil", nil},
		{"empty", CustomConfiguration{}},
		{"one", CustomConfiguration{"Region": "EU"}},
		{"empty values", CustomConfiguration{"a": "", "b": ""}},
		{"inner blanks", CustomConfiguration{"Data Center": "North  West"}},
		{"mixed case", CustomConfiguration{"zeta": "1", "Alpha": "2", "BETA": "3"}},
		{"unicode", CustomConfiguration{"Région": "Zürich", "名前": "値", "😀": "😀"}},
		{"names unequal under case folding", CustomConfiguration{"i": "1", "İ": "2", "ı": "3"}},
		{"control characters", CustomConfiguration{"a\x01b": "c\x7fd"}},
		{"invalid UTF-8", CustomConfiguration{"a\xffb": "\xfe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.in.Validate(); err != nil {
				t.Fatalf("Validate() = %v", err)
			}
			checkRoundTrip(t, tt.in)
		})
	}
}

// roundTripAlphabet holds the characters that make the wire form hard: separators, blanks of
// several kinds, letters with several case forms, and runes outside the BMP.
var roundTripAlphabet = []string{
	"a", "A", "b", "B", "s", "S", "\u017f", "k", "K", "\u212a", "i", "I", "\u0130", "\u0131",
	"\u03c3", "\u03c2", "\u03a3", "\u00df", "\u1e9e", "\u01c4", "\u01c5", "\u01c6",
	"=", ";", " ", "\t", "\u00a0", "\u3000", "_", "0", "\U0001F600", "\xff",
}

func randomString(r *rand.Rand, maxLen int) string {
	var b strings.Builder
	for range r.IntN(maxLen + 1) {
		b.WriteString(roundTripAlphabet[r.IntN(len(roundTripAlphabet))])
	}
	return b.String()
}

// For any valid map, Parse(String()) is Equal to it.
func TestCustomConfigurationRoundTripRandom(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(20240702, 1))
	valid := 0
	for range 20000 {
		cc := CustomConfiguration{}
		for range r.IntN(5) {
			cc[randomString(r, 3)] = randomString(r, 3)
		}
		if cc.Validate() != nil {
			continue
		}
		valid++
		checkRoundTrip(t, cc)
	}
	if valid < 1000 {
		t.Errorf("only %d of the random maps were valid; the test checks too little", valid)
	}
}

// Whatever parses is valid except for '=' in values, which is kept as read.
func TestParseCustomConfigurationResultValid(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 11))
	for range 20000 {
		s := randomString(r, 12)
		cc, err := ParseCustomConfiguration(s)
		if err != nil {
			continue
		}
		if err := cc.Validate(); err != nil && !hasEqualsInValue(cc) {
			t.Fatalf("ParseCustomConfiguration(%q) = %#v, which Validate refuses: %v", s, cc, err)
		}
	}
}

func hasEqualsInValue(cc CustomConfiguration) bool {
	for _, v := range cc {
		if strings.Contains(v, "=") {
			return true
		}
	}
	return false
}

func FuzzParseCustomConfiguration(f *testing.F) {
	// More seeds are in testdata/fuzz/FuzzParseCustomConfiguration.
	f.Add("Region=EU;Tier=Gold")
	f.Fuzz(func(t *testing.T, s string) {
		cc, err := ParseCustomConfiguration(s)
		if err != nil {
			if cc != nil {
				t.Fatalf("ParseCustomConfiguration(%q) returned %#v with its error %v", s, cc, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseCustomConfiguration(%q) error %v does not wrap ErrInvalid", s, err)
			}
			return
		}
		for k, v := range cc {
			if k == "" || strings.TrimSpace(k) != k || strings.ContainsAny(k, ";=") {
				t.Fatalf("ParseCustomConfiguration(%q) yields the name %q", s, k)
			}
			if strings.TrimSpace(v) != v || strings.Contains(v, ";") {
				t.Fatalf("ParseCustomConfiguration(%q) yields the value %q", s, v)
			}
		}
		if cc.Validate() != nil {
			return
		}
		checkRoundTrip(t, cc)
	})
}

// FuzzCustomConfigurationRoundTrip builds a map from NUL-separated names and values and checks
// that, when Validate accepts it, the wire form carries it unchanged.
func FuzzCustomConfigurationRoundTrip(f *testing.F) {
	// More seeds, among them the maps that once passed Validate but did not survive the wire form,
	// are in testdata/fuzz/FuzzCustomConfigurationRoundTrip.
	f.Add("Region\x00EU\x00Tier\x00Gold")
	f.Fuzz(func(t *testing.T, s string) {
		parts := strings.Split(s, "\x00")
		cc := CustomConfiguration{}
		for i := 0; i+1 < len(parts); i += 2 {
			cc[parts[i]] = parts[i+1]
		}
		if cc.Validate() != nil {
			return
		}
		checkRoundTrip(t, cc)
	})
}

// NameKey must merge exactly the names strings.EqualFold merges, since Validate uses it to refuse
// what ParseCustomConfiguration would refuse as a name given twice, and the emulator files names
// under it.
func TestNameKeyAgreesWithEqualFold(t *testing.T) {
	t.Parallel()
	for r := rune(0); r <= unicode.MaxRune; r++ {
		s := string(r)
		k := NameKey(s)
		if !strings.EqualFold(s, k) {
			t.Fatalf("NameKey(%q) = %q, which strings.EqualFold does not match", s, k)
		}
		// Every member of r's orbit maps to the same key.
		if f := string(unicode.SimpleFold(r)); NameKey(f) != k {
			t.Fatalf("NameKey(%q) = %q but NameKey(%q) = %q", s, k, f, NameKey(f))
		}
	}
	tests := []struct {
		a, b string
	}{
		{"Region", "rEGION"},
		{"s", "\u017f"},
		{"k", "\u212a"},
		{"\u03c3", "\u03c2"},
		{"\u00df", "\u1e9e"},
		{"\xff", "\xfe"}, // invalid bytes read as U+FFFD, in EqualFold too
		{"\xff", "\ufffd"},
		{"i", "\u0130"},
		{"a", "ab"},
		{"\u01c4", "\u01c5"},
	}
	// An ASCII name's key is its lower case, as the emulator's databases have always stored it.
	if got := NameKey("DC-West_01"); got != "dc-west_01" {
		t.Errorf("NameKey(DC-West_01) = %q", got)
	}
	for _, tt := range tests {
		if got, want := NameKey(tt.a) == NameKey(tt.b), strings.EqualFold(tt.a, tt.b); got != want {
			t.Errorf("NameKey(%q) == NameKey(%q) is %v, but strings.EqualFold says %v", tt.a, tt.b, got, want)
		}
	}
}
