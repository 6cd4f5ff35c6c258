package wql

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		props []string
		class string
		want  string // q.String()
	}{
		{"SELECT * FROM MSFT_IPAM_AddressSpace", nil, "MSFT_IPAM_AddressSpace", "SELECT * FROM MSFT_IPAM_AddressSpace"},
		{"select * from c", nil, "c", "SELECT * FROM c"},
		{"  SeLeCt\t*\nFrOm C  \n\t", nil, "C", "SELECT * FROM C"},
		{"SELECT Name,InstanceID , Type FROM C", []string{"Name", "InstanceID", "Type"}, "C", "SELECT Name, InstanceID, Type FROM C"},
		{"SELECT _x1 FROM _C2", []string{"_x1"}, "_C2", "SELECT _x1 FROM _C2"},
		{"SELECT * FROM C WHERE a = 'x'", nil, "C", "SELECT * FROM C WHERE a = 'x'"},
		{"SELECT * FROM C WHERE a='x'", nil, "C", "SELECT * FROM C WHERE a = 'x'"},
		{`SELECT * FROM C WHERE a = "it's"`, nil, "C", `SELECT * FROM C WHERE a = 'it\'s'`},
		{`SELECT * FROM C WHERE a = 'it\'s \"q\" \\ \n'`, nil, "C", `SELECT * FROM C WHERE a = 'it\'s "q" \\ n'`},
		{`SELECT * FROM C WHERE a = "\""`, nil, "C", `SELECT * FROM C WHERE a = '"'`},
		{"SELECT * FROM C WHERE a != 1", nil, "C", "SELECT * FROM C WHERE a <> 1"},
		{"SELECT * FROM C WHERE a<>-1.50", nil, "C", "SELECT * FROM C WHERE a <> -1.50"},
		{"SELECT * FROM C WHERE 'x' = a", nil, "C", "SELECT * FROM C WHERE a = 'x'"},
		{"SELECT * FROM C WHERE 7 != a", nil, "C", "SELECT * FROM C WHERE a <> 7"},
		{"SELECT * FROM C WHERE a = true OR b = False OR c = null", nil, "C", "SELECT * FROM C WHERE a = TRUE OR b = FALSE OR c = NULL"},
		{"SELECT * FROM C WHERE a is null and b IS not NULL", nil, "C", "SELECT * FROM C WHERE a IS NULL AND b IS NOT NULL"},
		{"SELECT * FROM C WHERE a like '[a-c]%'", nil, "C", "SELECT * FROM C WHERE a LIKE '[a-c]%'"},
		// No escapes inside a LIKE pattern ([MS-WMI] 2.2.1); the canonical form keeps them out too.
		{`SELECT * FROM C WHERE a LIKE 'lab\%'`, nil, "C", `SELECT * FROM C WHERE a LIKE 'lab\%'`},
		{`SELECT * FROM C WHERE a LIKE "O'Brien%"`, nil, "C", `SELECT * FROM C WHERE a LIKE "O'Brien%"`},
		{`SELECT * FROM C WHERE a LIKE "x\" AND b = "it\'s\""`, nil, "C", `SELECT * FROM C WHERE a LIKE 'x\' AND b = 'it\'s"'`},
		// Precedence: NOT > AND > OR; redundant parentheses disappear, needed ones stay.
		{"SELECT * FROM C WHERE a = 1 OR b = 2 AND c = 3", nil, "C", "SELECT * FROM C WHERE a = 1 OR b = 2 AND c = 3"},
		{"SELECT * FROM C WHERE (a = 1 OR b = 2) AND c = 3", nil, "C", "SELECT * FROM C WHERE (a = 1 OR b = 2) AND c = 3"},
		{"SELECT * FROM C WHERE ((a = 1)) OR ((b = 2 AND c = 3))", nil, "C", "SELECT * FROM C WHERE a = 1 OR b = 2 AND c = 3"},
		{"SELECT * FROM C WHERE NOT a = 1 AND b = 2", nil, "C", "SELECT * FROM C WHERE NOT a = 1 AND b = 2"},
		{"SELECT * FROM C WHERE NOT (a = 1 AND b = 2)", nil, "C", "SELECT * FROM C WHERE NOT (a = 1 AND b = 2)"},
		{"SELECT * FROM C WHERE NOT NOT(a = 1)", nil, "C", "SELECT * FROM C WHERE NOT NOT a = 1"},
		{"SELECT * FROM C WHERE a = 1 OR (b = 2 OR (c = 3 OR d = 4))", nil, "C", "SELECT * FROM C WHERE a = 1 OR b = 2 OR c = 3 OR d = 4"},
		{"SELECT * FROM C WHERE a = 1 AND (b = 2 AND c = 3)", nil, "C", "SELECT * FROM C WHERE a = 1 AND b = 2 AND c = 3"},
		{"SELECT * FROM C WHERE NOT (a = 1 OR b = 2) AND (c = 3 OR NOT d IS NULL)", nil, "C", "SELECT * FROM C WHERE NOT (a = 1 OR b = 2) AND (c = 3 OR NOT d IS NULL)"},
		{"SELECT * FROM C WHERE a = 'ǅ 日本 🎉'", nil, "C", "SELECT * FROM C WHERE a = 'ǅ 日本 🎉'"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			q, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(q.Properties, tt.props) {
				t.Errorf("Properties = %#v, want %#v", q.Properties, tt.props)
			}
			if q.Class != tt.class {
				t.Errorf("Class = %q, want %q", q.Class, tt.class)
			}
			if got := q.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			// The canonical form is a fixed point.
			if got := mustParse(t, tt.want).String(); got != tt.want {
				t.Errorf("re-parsed String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseSelectStarHasNilProperties(t *testing.T) {
	t.Parallel()
	if q := mustParse(t, "SELECT * FROM C"); q.Properties != nil || q.Where != nil {
		t.Errorf("got Properties %#v, Where %v; want nil, nil", q.Properties, q.Where)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in  string
		pos int
		msg string
	}{
		{"", 0, "expected SELECT, found end of query"},
		{"   ", 3, "expected SELECT, found end of query"},
		{"DELETE FROM C", 0, "expected SELECT, found identifier DELETE"},
		{"SELECT FROM C", 7, "empty property list: expected * or a property name after SELECT, found keyword FROM"},
		{"SELECT", 6, "empty property list: expected * or a property name after SELECT, found end of query"},
		{"SELECT a, FROM C", 10, "expected a property name after ',', found keyword FROM"},
		{"SELECT a,, b FROM C", 9, "expected a property name after ',', found ','"},
		{"SELECT 1 FROM C", 7, "expected a property name after SELECT, found number 1"},
		{"SELECT * C", 9, "expected FROM, found identifier C"},
		{"SELECT *", 8, "expected FROM, found end of query"},
		{"SELECT *, a FROM C", 8, "expected FROM, found ','"},
		{"SELECT a b FROM C", 9, "expected FROM, found identifier b"},
		{"SELECT * FROM", 13, "expected a class name after FROM, found end of query"},
		{"SELECT * FROM Where", 14, "expected a class name after FROM, found keyword WHERE"},
		{"SELECT * FROM C D", 16, "expected WHERE or end of query, found identifier D"},
		{"SELECT * FROM C;", 15, "unexpected character ';'"},
		{"SELECT * FROM C WHERE", 21, "expected a condition after WHERE, found end of query"},
		{"SELECT * FROM C WHERE ", 22, "expected a condition after WHERE, found end of query"},
		{"SELECT * FROM C WHERE a", 23, "expected an operator (=, <>, !=, LIKE or IS) after property a, found end of query"},
		{"SELECT * FROM C WHERE a b", 24, "expected an operator (=, <>, !=, LIKE or IS) after property a, found identifier b"},
		{"SELECT * FROM C WHERE a =", 25, "expected a string or number after '='"},
		{"SELECT * FROM C WHERE a = b", 26, "expected a string or number after '='"},
		{"SELECT * FROM C WHERE a <> )", 27, "expected a string or number after '<>'"},
		{"SELECT * FROM C WHERE a != AND", 27, "expected a string or number after '!='"},
		{"SELECT * FROM C WHERE a < 1", 24, "unsupported operator '<': only =, <>, !=, LIKE and IS [NOT] NULL are supported"},
		{"SELECT * FROM C WHERE a >= 1", 24, "unsupported operator '>=': only =, <>, !=, LIKE and IS [NOT] NULL are supported"},
		{"SELECT * FROM C WHERE 1 > a", 24, "unsupported operator '>': only =, <>, !=, LIKE and IS [NOT] NULL are supported"},
		{"SELECT * FROM C WHERE a ~ 1", 24, "unexpected character '~'"},
		{"SELECT * FROM C WHERE a ! 1", 24, "unexpected character '!'"},
		{"SELECT * FROM C WHERE a == 1", 25, "expected a string or number after '='"},
		{"SELECT * FROM C WHERE a = 'abc", 26, "unterminated string literal (missing closing ')"},
		{`SELECT * FROM C WHERE a = "abc\"`, 26, `unterminated string literal (missing closing ")`},
		{`SELECT * FROM C WHERE a = 'abc\`, 26, "unterminated string literal (missing closing ')"},
		{"SELECT * FROM C WHERE a = 1.", 26, `invalid number "1.": expected digits after the decimal point`},
		{"SELECT * FROM C WHERE a = 12ab", 26, `invalid number "12ab"`},
		{"SELECT * FROM C WHERE a = 1.2.3", 26, `invalid number "1.2.3"`},
		{"SELECT * FROM C WHERE a = - 1", 26, "unexpected character '-'"},
		{"SELECT * FROM C WHERE a = +1", 26, "unexpected character '+'"},
		{"SELECT * FROM C WHERE 'x' = 'y'", 28, "expected a property name after '=', found string 'y'"},
		{"SELECT * FROM C WHERE 'x' LIKE a", 26, "expected '=', '<>' or '!=' after a literal, found keyword LIKE"},
		{"SELECT * FROM C WHERE a LIKE 5", 29, "expected a string pattern after LIKE, found number 5"},
		{`SELECT * FROM C WHERE a LIKE 'O\'Brien%'`, 33, "expected AND, OR or end of query, found identifier Brien"},
		{"SELECT * FROM C WHERE a LIKE 'abc", 29, "unterminated LIKE pattern (missing closing '; a backslash does not escape inside LIKE)"},
		{"SELECT * FROM C WHERE a LIKE '[abc'", 29, "invalid LIKE pattern: unterminated '[' at byte 0 of the pattern"},
		{"SELECT * FROM C WHERE a LIKE 'x[]'", 29, "invalid LIKE pattern: unterminated '[' at byte 1 of the pattern"},
		{"SELECT * FROM C WHERE a IS 1", 27, "expected NULL or NOT NULL after IS, found number 1"},
		{"SELECT * FROM C WHERE a IS NOT", 30, "expected NULL after IS NOT, found end of query"},
		{"SELECT * FROM C WHERE a = 1 b = 2", 28, "expected AND, OR or end of query, found identifier b"},
		{"SELECT * FROM C WHERE a = 1 AND", 31, "expected a condition (a property name, a literal, NOT or '('), found end of query"},
		{"SELECT * FROM C WHERE a = 1 OR OR b = 2", 31, "expected a condition (a property name, a literal, NOT or '('), found keyword OR"},
		{"SELECT * FROM C WHERE NOT", 25, "expected a condition (a property name, a literal, NOT or '('), found end of query"},
		{"SELECT * FROM C WHERE ()", 23, "expected a condition (a property name, a literal, NOT or '('), found ')'"},
		{"SELECT * FROM C WHERE (a = 1", 28, "expected ')' to close the '(' at 22, found end of query"},
		{"SELECT * FROM C WHERE (a = 1 b", 29, "expected ')' to close the '(' at 22, found identifier b"},
		{"SELECT * FROM C WHERE a = 1)", 27, "expected AND, OR or end of query, found ')'"},
		{"SELECT * FROM C WHERE like = 1", 22, "expected a condition (a property name, a literal, NOT or '('), found keyword LIKE"},
		{"SELECT * FROM C WHERE a = 'x' AND b = 'ü' AND c = é", 51, "unexpected character 'é'"},
		{"SELECT * FROM C WHERE a = 1 \xff", 28, "unexpected character byte 0xff"},
		{"SELECT * FROM C WHERE a = 'x' '" + strings.Repeat("x", 40) + "'", 30, "expected AND, OR or end of query, found string 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			q, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse succeeded with %v, want an error", q)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is a %T, want *SyntaxError", err, err)
			}
			if se.Pos != tt.pos || se.Msg != tt.msg {
				t.Errorf("got error at %d: %q\nwant error at %d: %q", se.Pos, se.Msg, tt.pos, tt.msg)
			}
			if want := fmt.Sprintf("WQL syntax error at %d: %s", tt.pos, tt.msg); err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	t.Parallel()
	nest := func(n int) string { return prefix + strings.Repeat("(", n) + "a = 1" + strings.Repeat(")", n) }
	nots := func(n int) string { return prefix + strings.Repeat("NOT ", n) + "a = 1" }
	mixed := func(n int) string { return prefix + strings.Repeat("NOT (", n) + "a = 1" + strings.Repeat(")", n) }
	depthMsg := "condition nested more than 100 levels deep (parentheses and NOT)"
	padded := "SELECT * FROM C WHERE a = 1"
	padded += strings.Repeat(" ", MaxQueryLength-len(padded))
	tests := []struct {
		name string
		in   string
		pos  int // -1: must parse
		msg  string
	}{
		{"100 parentheses", nest(MaxDepth), -1, ""},
		{"101 parentheses", nest(MaxDepth + 1), len(prefix) + MaxDepth, depthMsg},
		{"100 NOTs", nots(MaxDepth), -1, ""},
		{"101 NOTs", nots(MaxDepth + 1), len(prefix) + 4*MaxDepth, depthMsg},
		{"50 NOT-parenthesis pairs", mixed(MaxDepth / 2), -1, ""},
		{"50 pairs and one NOT", prefix + "NOT " + mixed(MaxDepth / 2)[len(prefix):], len(prefix) + 4 + 5*(MaxDepth/2) - 1, depthMsg},
		{"a megabyte of parentheses", prefix + strings.Repeat("(", MaxQueryLength-len(prefix)), len(prefix) + MaxDepth, depthMsg},
		{"a megabyte of NOTs", prefix + strings.Repeat("NOT ", (MaxQueryLength-len(prefix))/4), len(prefix) + 4*MaxDepth, depthMsg},
		{"exactly MaxQueryLength", padded, -1, ""},
		{"one byte too long", padded + " ", MaxQueryLength, fmt.Sprintf("query is %d bytes long; the maximum is %d", MaxQueryLength+1, MaxQueryLength)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, err := Parse(tt.in)
			if tt.pos < 0 {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if m, err := q.Match(mapRow{"a": "1"}); !m || err != nil {
					t.Errorf("Match = %v, %v; want true for 100 parentheses or an even number of NOTs", m, err)
				}
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse error = %v (%T), want *SyntaxError", err, err)
			}
			if se.Pos != tt.pos || se.Msg != tt.msg {
				t.Errorf("got error at %d: %q\nwant error at %d: %q", se.Pos, se.Msg, tt.pos, tt.msg)
			}
		})
	}
}

// orQuery returns a query ORing n InstanceID equality terms with keys id-0 ... id-(n-1).
func orQuery(n int) string {
	var b strings.Builder
	b.WriteString(prefix)
	for i := range n {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString("InstanceID = " + Quote(fmt.Sprintf("id-%d", i)))
	}
	return b.String()
}

func TestLongOrChain(t *testing.T) {
	t.Parallel()
	const n = 10000
	src := orQuery(n)
	start := time.Now()
	q := mustParse(t, src)
	parsed := time.Since(start)

	keys, ok := q.EqualityKeys("instanceid")
	if !ok || len(keys) != n || keys[0] != "id-0" || keys[n-1] != fmt.Sprintf("id-%d", n-1) {
		t.Fatalf("EqualityKeys: ok=%v, %d keys; want %d keys id-0...", ok, len(keys), n)
	}

	// Rows ID-0, ID-1, ... ID-(2n-1): the first n match (case-insensitively), the rest do not.
	rows := make([]Row, 2*n)
	for i := range rows {
		rows[i] = mapRow{"instanceid": fmt.Sprintf("ID-%d", i)}
	}
	start = time.Now()
	matched := 0
	for _, r := range rows[n:] {
		if m, err := q.Match(r); err != nil {
			t.Fatal(err)
		} else if m {
			matched++
		}
	}
	for _, r := range rows[:n] {
		if m, err := q.Match(r); err != nil {
			t.Fatal(err)
		} else if m {
			matched++
		}
	}
	evaluated := time.Since(start)
	if matched != n {
		t.Errorf("%d rows matched, want %d", matched, n)
	}
	t.Logf("parsed %d bytes in %v; evaluated %d rows in %v", len(src), parsed, len(rows), evaluated)
	// A guard against quadratic work (minutes at this size), not a timing claim.
	if parsed > 30*time.Second || evaluated > 30*time.Second {
		t.Errorf("too slow: parse %v, evaluation of %d rows %v", parsed, len(rows), evaluated)
	}
	if got := q.String(); got != src {
		t.Errorf("String() differs from the canonical input")
	}
}

func TestLongAndChainAndMixedOr(t *testing.T) {
	t.Parallel()
	var and, mixed strings.Builder
	and.WriteString(prefix)
	mixed.WriteString(prefix)
	for i := range 10000 {
		if i > 0 {
			and.WriteString(" AND ")
			mixed.WriteString(" OR ")
		}
		fmt.Fprintf(&and, "Name <> 'n%d'", i)
		fmt.Fprintf(&mixed, "(Name = 'n%d' AND Type = %d)", i, i%2)
	}
	qa := mustParse(t, and.String())
	qm := mustParse(t, mixed.String())
	row := mapRow{"name": "N9999", "type": "1"}
	if m, err := qa.Match(row); m || err != nil {
		t.Errorf("AND chain: Match = %v, %v; want false, nil", m, err)
	}
	if m, err := qm.Match(row); !m || err != nil {
		t.Errorf("mixed OR chain: Match = %v, %v; want true, nil", m, err)
	}
	if _, ok := qm.EqualityKeys("Name"); ok {
		t.Errorf("EqualityKeys on an OR of ANDs: ok = true, want false")
	}
}
