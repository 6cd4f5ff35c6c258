package wql

import (
	"strings"
	"testing"
	"time"
)

// TestHostileQueries checks that maximum-size adversarial queries parse (or fail) and evaluate
// quickly and without exhausting the stack.
func TestHostileQueries(t *testing.T) {
	t.Parallel()
	fill := func(head, unit, tail string) string {
		n := (MaxQueryLength - len(prefix) - len(head) - len(tail)) / len(unit)
		return prefix + head + strings.Repeat(unit, n) + tail
	}
	nestedOr := prefix + strings.Repeat("(", MaxDepth-1)
	for range MaxDepth - 1 {
		nestedOr += strings.Repeat("a = 1 OR ", 1000) + "a = 2) OR "
	}
	nestedOr += "a = 3"
	tests := []struct {
		name string
		src  string
		ok   bool
	}{
		{"max-size OR of equalities", fill("", "a = 1 OR ", "a = 2"), true},
		{"max-size OR of LIKEs", fill("", "a LIKE '%a%a%a%b' OR ", "a = 2"), true},
		{"max-size AND of NOTs", fill("", "NOT a = 'x' AND ", "a = 2"), true},
		{"max-size string with escapes", fill("a = '", `\'`, "'"), true},
		{"max-size LIKE pattern", fill("a LIKE '", "%_", "'"), true},
		{"max-size LIKE set", fill("a LIKE '[", "a-z", "]'"), true},
		{"nested ORs flattened at every level", nestedOr, true},
		{"max-size unterminated string", fill("a = '", "x", ""), false},
		{"max-size open parentheses", fill("", "(", ""), false},
	}
	row := mapRow{"a": strings.Repeat("ab", 500)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			q, err := Parse(tt.src)
			if (err == nil) != tt.ok {
				t.Fatalf("Parse error = %v, want ok=%v", err, tt.ok)
			}
			parsed := time.Since(start)
			if err == nil {
				if _, err := q.Match(row); err != nil {
					t.Fatal(err)
				}
				_ = q.String()
			}
			total := time.Since(start)
			t.Logf("%d bytes: parse %v, parse+match+String %v", len(tt.src), parsed, total)
			// A guard against super-linear blow-ups, not a performance claim: the bound is far above
			// what the race detector on a loaded 2-core machine needs.
			if total > 30*time.Second {
				t.Errorf("took %v", total)
			}
		})
	}
}
