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
// parseTwoTermAnd parses a query whose WHERE is a literal's term AND Type = 1.
func parseTwoTermAnd(t *testing.T, src string) (*Query, *andExpr) {
	t.Helper()
	q := mustParse(t, src)
	and, ok := q.Where.(*andExpr)
	if !ok || len(and.terms) != 2 {
		t.Fatalf("Parse(%q) gave %v, want a two-term AND", src, q.Where)
	}
	return q, and
}

func checkQuoteRoundTrip(t *testing.T, s string) {
	t.Helper()
	for _, src := range []string{
		prefix + "Name = " + Quote(s) + " AND Type = 1",
		prefix + Quote(s) + " = Name AND Type = 1",
	} {
		q, and := parseTwoTermAnd(t, src)
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

func TestQuoteLike(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want, wantErr string }{
		{in: "plain", want: "'plain'"},
		{in: "", want: "''"},
		{in: "O'Brien%", want: `"O'Brien%"`},
		{in: `say "hi"`, want: `'say "hi"'`},
		{in: `it's "x"`, wantErr: `LIKE pattern "it's \"x\"" contains both ' and ": WQL has no escapes inside LIKE, so no string literal can hold both`},
		{in: `lab\%`, want: `'lab\%'`},
		{in: `C:\dir\`, want: `'C:\dir\'`},
		{in: `\'`, want: `"\'"`},
		{in: `\"`, want: `'\"'`},
		{in: "100%", want: "'100%'"},
		{in: "a_b", want: "'a_b'"},
		{in: "[a-c]%", want: "'[a-c]%'"},
		{in: "100[%]", want: "'100[%]'"},
		{in: "[[]", want: "'[[]'"},
		{in: "[abc", wantErr: `invalid LIKE pattern "[abc": unterminated '[' at byte 0 of the pattern`},
		{in: "\x00\t\n", want: "'\x00\t\n'"}, // the lexer takes any byte inside a string
		{in: "ǅ\xff", want: "'ǅ\xff'"},
	}
	for _, tt := range tests {
		got, err := QuoteLike(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("QuoteLike(%q) = %q, %v; want error %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("QuoteLike(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestQuoteLikeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range awkwardStrings {
		t.Run(s, func(t *testing.T) {
			t.Parallel()
			checkQuoteLikeRoundTrip(t, s, s)
		})
	}
}

// checkQuoteLikeRoundTrip checks that QuoteLike refuses exactly the patterns no LIKE literal can hold,
// and that for any other pattern the quoted text parses back to exactly that pattern, cannot change the
// query around it, and matches value as the pattern compiled directly does.
func checkQuoteLikeRoundTrip(t *testing.T, pattern, value string) {
	t.Helper()
	lp, msg := compileLike(pattern)
	bothQuotes := strings.Contains(pattern, "'") && strings.Contains(pattern, `"`)
	quoted, err := QuoteLike(pattern)
	if err != nil {
		if !bothQuotes && msg == "" {
			t.Fatalf("QuoteLike(%q) refused an expressible pattern: %v", pattern, err)
		}
		return
	}
	if bothQuotes || msg != "" {
		t.Fatalf("QuoteLike(%q) = %q, want an error", pattern, quoted)
	}
	if len(quoted) != len(pattern)+2 || quoted[1:len(quoted)-1] != pattern {
		t.Fatalf("QuoteLike(%q) = %q, want the pattern unchanged between quotes", pattern, quoted)
	}
	src := prefix + "Name LIKE " + quoted + " AND Type = 1"
	q, and := parseTwoTermAnd(t, src)
	l, ok := and.terms[0].(*likeExpr)
	if !ok || l.pattern.source != pattern {
		t.Fatalf("Parse(%q) first term = %#v, want LIKE %q", src, and.terms[0], pattern)
	}
	for _, v := range []string{value, pattern} {
		m, err := q.Match(mapRow{"name": v, "type": "1"})
		if err != nil || m != lp.match(v) {
			t.Errorf("%q LIKE %s = %v, %v; the compiled pattern says %v", v, quoted, m, err, lp.match(v))
		}
	}
	if got := mustParse(t, q.String()).String(); got != q.String() {
		t.Errorf("String() is not stable: %q then %q", q.String(), got)
	}
}

// FuzzQuoteLike fuzzes checkQuoteLikeRoundTrip.
func FuzzQuoteLike(f *testing.F) {
	for _, s := range awkwardStrings {
		f.Add(s, s)
	}
	for _, tt := range likeTests {
		f.Add(tt.pattern, tt.value)
	}
	f.Fuzz(func(t *testing.T, pattern, value string) {
		if len(pattern) > 10000 || len(value) > 10000 {
			return
		}
		checkQuoteLikeRoundTrip(t, pattern, value)
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
