package wql

import (
	"errors"
	"strings"
	"testing"
)

// fuzzRows exercise different value shapes so that a rendering bug which changes meaning shows up
// as a different Match result.
var fuzzRows = []Row{
	funcRow(func(p string) (string, bool, bool) { return strings.ToLower(p), false, true }),
	funcRow(func(p string) (string, bool, bool) { return "1", false, true }),
	funcRow(func(p string) (string, bool, bool) { return "TRUE", false, true }),
	funcRow(func(p string) (string, bool, bool) { return "", true, true }),
	funcRow(func(p string) (string, bool, bool) { return p, false, len(p)%2 == 0 }),
	funcRow(func(p string) (string, bool, bool) {
		return []string{"a", "B", "0.0", "x%y", ""}[len(p)%5], len(p)%7 == 3, true
	}),
}

var parseSeeds = []string{
	"SELECT * FROM MSFT_IPAM_AddressSpace",
	"SELECT Name, InstanceID FROM MSFT_IPAM_AddressSpace WHERE InstanceID = '{A}'",
	`select * from c where a = "x\"y" or not (b <> 1.5 and 'z' = c) and d like '[^a-c]%_'`,
	"SELECT * FROM C WHERE a IS NULL OR b IS NOT NULL AND NOT NOT c != -1",
	"SELECT * FROM C WHERE ((a = TRUE) OR (b = FALSE OR c = NULL))",
	`SELECT * FROM C WHERE a = 'it\'s a\\b' OR a = "\'\"\\"`,
	"SELECT * FROM C WHERE a LIKE '[]]' OR a LIKE '[%]' OR a LIKE '[z-a]'",
	`SELECT * FROM C WHERE a LIKE 'lab\%' OR a LIKE "O'Brien\" OR a = 'x\'y'`,
	`SELECT * FROM C WHERE a LIKE 'a\' OR b = '\''`,
	"SELECT * FROM C WHERE a = 1 OR a = 01 OR a = 1.0 OR a = 'A' OR a = 'a'",
	"SELECT * FROM C WHERE (a = 'x'",
	"SELECT * FROM C WHERE a = 'unterminated",
}

func FuzzParse(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %v is a %T, want *SyntaxError", s, err, err)
			}
			if se.Pos < 0 || (se.Pos > len(s) && len(s) <= MaxQueryLength) || se.Msg == "" {
				t.Fatalf("Parse(%q): bad error position or message: %v", s, err)
			}
			return
		}
		canon := q.String()
		q2, err := Parse(canon)
		if err != nil {
			if len(canon) > MaxQueryLength {
				return // quoting can lengthen a query that was already near the limit
			}
			t.Fatalf("Parse(%q) = %q, which does not re-parse: %v", s, canon, err)
		}
		if got := q2.String(); got != canon {
			t.Fatalf("Parse(%q).String() = %q, but that re-parses to %q", s, canon, got)
		}
		if (q.Where == nil) != (q2.Where == nil) || q.Class != q2.Class || strings.Join(q.Properties, ",") != strings.Join(q2.Properties, ",") || (q.Properties == nil) != (q2.Properties == nil) {
			t.Fatalf("Parse(%q) and Parse(%q) differ", s, canon)
		}
		for i, r := range fuzzRows {
			m1, err1 := q.Match(r)
			m2, err2 := q2.Match(r)
			if m1 != m2 || (err1 == nil) != (err2 == nil) || (err1 != nil && err1.Error() != err2.Error()) {
				t.Fatalf("row %d: %q gives %v, %v but its canonical form %q gives %v, %v", i, s, m1, err1, canon, m2, err2)
			}
		}
		k1, ok1 := q.EqualityKeys("a")
		k2, ok2 := q2.EqualityKeys("a")
		if ok1 != ok2 || strings.Join(k1, "\x00") != strings.Join(k2, "\x00") {
			t.Fatalf("EqualityKeys differ between %q and %q", s, canon)
		}
	})
}
