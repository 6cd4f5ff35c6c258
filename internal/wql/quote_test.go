package wql

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var awkwardStrings = []string{
	"",
	"plain",
	"'",
	"''",
	`\`,
	`\\`,
	`\'`,
	`'\`,
	`abc\`,
	`it's a\b`,
	`"`,
	`"double" and 'single'`,
	`C:\Windows\System32\`,
	"ǅ 日本語 🎉 Straße",
	"\x00\t\r\n",
	"\xff\xfe invalid UTF-8 \xc3",
	"%_[]^-",
	"' OR 1 = 1 OR Name = '",
	`\' OR InstanceID <> \'`,
	strings.Repeat(`'\`, 1000),
}

func TestQuote(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`it's a\b`, `'it\'s a\\b'`},
		{"", "''"},
		{`"`, `'"'`},
		{`\'`, `'\\\''`},
		{"ǅ\xff", "'ǅ\xff'"},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestQuoteRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range awkwardStrings {
		t.Run(s, func(t *testing.T) {
			t.Parallel()
			checkQuoteRoundTrip(t, s)
		})
	}
}

// checkQuoteRoundTrip checks that Quote(s) parses back to exactly s in both literal positions, that it
// matches the value s, and that it cannot change the structure of the query around it.
func checkQuoteRoundTrip(t *testing.T, s string) {
	t.Helper()
	for _, src := range []string{
		prefix + "Name = " + Quote(s) + " AND Type = 1",
		prefix + Quote(s) + " = Name AND Type = 1",
	} {
		q, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		and, ok := q.Where.(*andExpr)
		if !ok || len(and.terms) != 2 {
			t.Fatalf("Parse(%q) gave %v, want a two-term AND", src, q.Where)
		}
		c, ok := and.terms[0].(*compareExpr)
		if !ok || c.lit.kind != litString || c.lit.text != s {
			t.Fatalf("Parse(%q) literal = %#v, want %q", src, and.terms[0], s)
		}
		if m, err := q.Match(mapRow{"name": s, "type": "1"}); !m || err != nil {
			t.Errorf("Match against the same value = %v, %v", m, err)
		}
		if got := mustParse(t, q.String()).String(); got != q.String() {
			t.Errorf("String() is not stable: %q then %q", q.String(), got)
		}
	}
	// Quote also produces a LIKE pattern that means the characters themselves, when none is special.
	if !strings.ContainsAny(s, "%_[") {
		q := mustParse(t, prefix+"Name LIKE "+Quote(s))
		if m, err := q.Match(mapRow{"name": s}); !m || err != nil {
			t.Errorf("LIKE Quote(%q) against itself = %v, %v", s, m, err)
		}
	}
}

func FuzzQuote(f *testing.F) {
	for _, s := range awkwardStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 10000 {
			return
		}
		checkQuoteRoundTrip(t, s)
	})
}

// FuzzFold checks that foldString is an exact key for strings.EqualFold, which the grouped OR
// evaluation and EqualityKeys' de-duplication rely on.
func FuzzFold(f *testing.F) {
	f.Add("a", "A")
	f.Add("k", "\u212a")
	f.Add("ǅ", "ǆ")
	f.Add("\xff", "\ufffd")
	f.Add("ß", "SS")
	f.Add("σ", "ς")
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, want := foldString(a) == foldString(b), strings.EqualFold(a, b); got != want {
			t.Fatalf("foldString equality %v, EqualFold(%q, %q) = %v", got, a, b, want)
		}
		// Also compare rune by rune against the folding of a single character.
		if utf8.RuneCountInString(a) == 1 && utf8.RuneCountInString(b) == 1 {
			ra, _ := utf8.DecodeRuneInString(a)
			rb, _ := utf8.DecodeRuneInString(b)
			if (foldRune(ra) == foldRune(rb)) != strings.EqualFold(a, b) {
				t.Fatalf("foldRune(%q) vs foldRune(%q) disagrees with EqualFold", ra, rb)
			}
		}
	})
}
