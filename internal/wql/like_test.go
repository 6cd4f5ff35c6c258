package wql

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var likeTests = []struct {
	pattern, value string
	want           bool
}{
	{"abc", "abc", true},
	{"abc", "ABC", true},
	{"abc", "abcd", false},
	{"abc", "ab", false},
	{"", "", true},
	{"", "a", false},
	{"%", "", true},
	{"%%%", "", true},
	{"%", "anything at all", true},
	{"a%", "abc", true},
	{"a%", "a", true},
	{"a%", "ba", false},
	{"%c", "abc", true},
	{"%b%", "abc", true},
	{"%B%", "abc", true},
	{"a%c", "ac", true},
	{"a%c", "abcbc", true},
	{"a%c", "abcb", false},
	{"%a%a%a%b", "aaaaaaab", true},
	{"%a%a%a%b", "aaaaaaaa", false},
	{"a_c", "abc", true},
	{"a_c", "ac", false},
	{"a_c", "abbc", false},
	{"_", "é", true}, // one character, two bytes
	{"__", "é", false},
	{"_", "\xff", true}, // an invalid byte counts as one character
	{"%_", "", false},
	{"_%_", "ab", true},
	{"[abc]", "b", true},
	{"[abc]", "B", true},
	{"[abc]", "d", false},
	{"[abc]", "", false},
	{"[abc]", "ab", false},
	{"[a-f]x", "Dx", true},
	{"[A-F]x", "dx", true},
	{"[a-f]", "g", false},
	{"[a-cx-z]", "y", true},
	{"[a-cx-z]", "m", false},
	{"[0-9][0-9]", "42", true},
	{"%[0-9]", "vlan7", true},
	{"[^abc]", "d", true},
	{"[^abc]", "A", false},
	{"[^abc]", "", false},
	{"[^a-f]", "G", true},
	{"[^a-f]", "C", false},
	{"[%]", "%", true},
	{"[%]", "a", false},
	{"100[%]", "100%", true},
	{"100[%]", "1000", false},
	{"[_]", "_", true},
	{"[_]", "a", false},
	{"[[]", "[", true},
	{"[]]", "]", true},
	{"[]a]", "a", true},
	{"[^]]", "a", true},
	{"[^]]", "]", false},
	{"[a-]", "-", true},
	{"[-a]", "-", true},
	{"[-a]", "b", false},
	{"[a^]", "^", true},
	{"[z-a]", "m", false}, // reversed range: empty
	{"[^z-a]", "m", true}, // negated empty set: any character
	{"[a-a]", "A", true},
	{"]", "]", true},
	{"^", "^", true},
	{"-", "-", true},
	{`a\b`, `a\b`, true}, // no escape character
	{`a\%`, `a\xyz`, true},
	{`a\_`, "a_", false},
	{".*", ".*", true},
	{".*", "abc", false},
	{"ǅ%", "ǆemo", true},
	{"[ǆ]", "Ǆ", true},
	{"k", "\u212a", true},
	{"[k]", "\u212a", true},
	{"[j-l]", "\u212a", true},
	{"[^j-l]", "\u212a", false},
	{"straße", "STRAßE", true},
	{"straße", "STRASSE", false},
	{"%\xff%", "a\xfeb", true}, // like EqualFold, all invalid bytes are U+FFFD
	{"[\U0001F389]", "🎉", true},
	{"{%}", "{ABC-123}", true},
}

func TestLike(t *testing.T) {
	t.Parallel()
	for _, tt := range likeTests {
		t.Run(tt.pattern+"~"+tt.value, func(t *testing.T) {
			t.Parallel()
			q := mustParse(t, prefix+"P LIKE "+mustQuoteLike(t, tt.pattern))
			got, err := q.Match(mapRow{"p": tt.value})
			if err != nil || got != tt.want {
				t.Errorf("%q LIKE %q = %v, %v; want %v", tt.value, tt.pattern, got, err, tt.want)
			}
			if re, ok := likeRegexp(tt.pattern); !ok {
				t.Errorf("the oracle cannot translate %q", tt.pattern)
			} else if re.MatchString(tt.value) != tt.want {
				t.Errorf("the regexp oracle %v disagrees with the table for %q", re, tt.value)
			}
		})
	}
}

func TestLikeInvalidPatterns(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"[", "[abc", "[^", "[]", "[^]", "a[]", "x[a-", "x[a-b", "[]]["} {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			src := prefix + "P LIKE '" + p + "'" // QuoteLike refuses these
			_, err := Parse(src)
			se, ok := err.(*SyntaxError)
			if !ok || se.Pos != len(prefix)+7 || !strings.HasPrefix(se.Msg, "invalid LIKE pattern: unterminated '['") {
				t.Errorf("Parse(%q) error = %v; want an unterminated '[' error at %d", src, err, len(prefix)+7)
			}
		})
	}
}

// TestLikeBackslashIsLiteral checks [MS-WMI] 2.2.1: "The server MUST treat a backslash as an escape
// character in a WQL query, except within a LIKE clause."
func TestLikeBackslashIsLiteral(t *testing.T) {
	t.Parallel()
	tests := []struct {
		where, value string
		want         bool
	}{
		{`Name LIKE 'lab\%'`, `lab\x`, true},
		{`Name LIKE 'lab\%'`, `lab\`, true},
		{`Name LIKE 'lab\%'`, `lab\anything at all`, true},
		{`Name LIKE 'lab\%'`, `lab%`, false},
		{`Name LIKE 'lab\%'`, `labx`, false},
		{`Name LIKE 'lab\\%'`, `lab\x`, false}, // two backslashes are two characters
		{`Name LIKE 'lab\\%'`, `lab\\x`, true},
		{`Name LIKE 'a\_'`, `a\b`, true},
		{`Name LIKE 'a\'`, `a\`, true},                    // the backslash does not swallow the quote
		{`Name LIKE 'a\' OR Name = '\''`, `'`, true},      // and the next string still has escapes
		{`Name LIKE "O'Brien%"`, `O'Brien-lab`, true},     // a ' inside a double-quoted pattern
		{`Name LIKE 'say "hi"%'`, `say "hi" there`, true}, // and the other way round
		{`Name = 'a\'b'`, `a'b`, true},                    // outside LIKE, \' is still an escaped quote
		{`Name = 'a\'b'`, `a\'b`, false},
		{`Name = "a\\b"`, `a\b`, true},
	}
	for _, tt := range tests {
		t.Run(tt.where+"~"+tt.value, func(t *testing.T) {
			t.Parallel()
			q := mustParse(t, prefix+tt.where)
			if got, err := q.Match(mapRow{"name": tt.value}); err != nil || got != tt.want {
				t.Errorf("%q against %s = %v, %v; want %v", tt.value, tt.where, got, err, tt.want)
			}
		})
	}
}

// mustQuoteLike quotes a pattern that the test knows is expressible.
func mustQuoteLike(t *testing.T, pattern string) string {
	t.Helper()
	s, err := QuoteLike(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestLikeHostile checks patterns that make naive backtracking matchers exponential.
func TestLikeHostile(t *testing.T) {
	t.Parallel()
	value := strings.Repeat("a", 20000)
	tests := []struct {
		pattern string
		want    bool
	}{
		{strings.Repeat("%a", 500) + "%b", false},
		{strings.Repeat("%_", 500) + "%b", false},
		{strings.Repeat("%[a-z]", 500) + "%", true},
		{"%" + strings.Repeat("a", 2000) + "b%", false},
		{strings.Repeat("%", 100000) + "b", false},
		{"%[" + strings.Repeat("bcdefghij", 10000) + "]%", false},
		{strings.Repeat("_", 20001), false}, // rejected by length before matching
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			q := mustParse(t, prefix+"P LIKE "+mustQuoteLike(t, tt.pattern))
			start := time.Now()
			got, err := q.Match(mapRow{"p": value})
			if err != nil || got != tt.want {
				t.Errorf("Match = %v, %v; want %v", got, err, tt.want)
			}
			// A guard against backtracking blow-ups (which would take hours), not a timing claim.
			if d := time.Since(start); d > 30*time.Second {
				t.Errorf("match took %v", d)
			}
		})
	}
}

// likeRegexp translates a LIKE pattern into an equivalent regexp, independently of compileLike, to
// serve as a test oracle (Go's regexp is linear-time and folds case the same way).
func likeRegexp(p string) (*regexp.Regexp, bool) {
	var b strings.Builder
	b.WriteString(`(?is)\A`)
	lit := func(r rune) string { return fmt.Sprintf(`\x{%x}`, r) }
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		i += size
		switch r {
		case '%':
			b.WriteString(`.*`)
		case '_':
			b.WriteString(`.`)
		case '[':
			neg := false
			if i < len(p) && p[i] == '^' {
				neg = true
				i++
			}
			var class strings.Builder
			closed := false
			for first := true; i < len(p); first = false {
				c, n := utf8.DecodeRuneInString(p[i:])
				if c == ']' && !first {
					i += n
					closed = true
					break
				}
				i += n
				if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
					hi, m := utf8.DecodeRuneInString(p[i+1:])
					i += 1 + m
					if c <= hi {
						class.WriteString(lit(c) + "-" + lit(hi))
					}
					continue
				}
				class.WriteString(lit(c))
			}
			switch {
			case !closed:
				return nil, false
			case class.Len() == 0 && neg:
				b.WriteString(`.`)
			case class.Len() == 0:
				b.WriteString(`[^\x00-\x{10FFFF}]`)
			case neg:
				b.WriteString("[^" + class.String() + "]")
			default:
				b.WriteString("[" + class.String() + "]")
			}
		default:
			b.WriteString(lit(r))
		}
	}
	b.WriteString(`\z`)
	re, err := regexp.Compile(b.String())
	return re, err == nil
}

// FuzzLike compares the LIKE matcher with the regexp oracle.
func FuzzLike(f *testing.F) {
	for _, tt := range likeTests {
		f.Add(tt.pattern, tt.value)
	}
	f.Fuzz(func(t *testing.T, pattern, value string) {
		if len(pattern) > 200 || len(value) > 200 {
			return
		}
		lp, msg := compileLike(pattern)
		re, ok := likeRegexp(pattern)
		if (msg == "") != ok {
			t.Fatalf("compileLike(%q) error %q, oracle ok=%v", pattern, msg, ok)
		}
		if !ok {
			return
		}
		if got, want := lp.match(value), re.MatchString(value); got != want {
			t.Fatalf("%q LIKE %q = %v, oracle %v says %v", value, pattern, got, re, want)
		}
	})
}
