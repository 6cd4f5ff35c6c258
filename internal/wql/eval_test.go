package wql

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

var testRow = mapRow{
	"instanceid":  "{ABC-123}",
	"name":        "Contoso Office",
	"type":        "1",
	"vlan":        "0042",
	"big":         "18446744073709551615",
	"ratio":       "1.50",
	"sci":         "1.5E+3",
	"negzero":     "-0.0",
	"enabled":     "True",
	"description": nil,
	"unicode":     "Straße ǅ",
	"kelvin":      "\u212a", // KELVIN SIGN folds with k and K
	"empty":       "",
	"path":        `C:\Temp\it's`,
}

func TestEval(t *testing.T) {
	t.Parallel()
	tests := []struct {
		where   string
		want    bool
		wantErr string
	}{
		// Strings compare case-insensitively, with simple Unicode folding.
		{"Name = 'contoso office'", true, ""},
		{`Name = "CONTOSO OFFICE"`, true, ""},
		{"Name = 'Contoso'", false, ""},
		{"Name <> 'contoso office'", false, ""},
		{"Name != 'x'", true, ""},
		{"'contoso OFFICE' = Name", true, ""},
		{"instanceid = '{abc-123}'", true, ""},
		{"Unicode = 'STRAßE ǆ'", true, ""},
		{"Unicode = 'STRASSE ǅ'", false, ""}, // ß has no simple case folding to SS
		{"Kelvin = 'k'", true, ""},
		{"Empty = ''", true, ""},
		{"Empty <> ''", false, ""},
		{`Path = 'c:\\temp\\IT\'S'`, true, ""},
		// Numbers compare numerically when the value is a number, exactly.
		{"Type = 1", true, ""},
		{"Type = 1.0", true, ""},
		{"Type = 01", true, ""},
		{"Type = -1", false, ""},
		{"Type <> 2", true, ""},
		{"1 = Type", true, ""},
		{"Type = '1'", true, ""},
		{"Type = '1.0'", false, ""}, // a string literal compares as a string
		{"VLAN = 42", true, ""},
		{"VLAN = '42'", false, ""},
		{"Big = 18446744073709551615", true, ""},
		{"Big = 18446744073709551614", false, ""}, // float64 would call these equal
		{"Ratio = 1.5", true, ""},
		{"Ratio = 1.500", true, ""},
		{"Ratio = '1.5'", false, ""},
		{"Sci = 1500", true, ""},
		{"NegZero = 0", true, ""},
		{"Name = 1", false, ""},
		{"Name <> 1", true, ""},
		// Booleans compare as true/false case-insensitively.
		{"Enabled = TRUE", true, ""},
		{"Enabled = true", true, ""},
		{"Enabled = FALSE", false, ""},
		{"Enabled <> FALSE", true, ""},
		{"Enabled = 'TRUE'", true, ""},
		{"Type = TRUE", false, ""},
		// NULL values and literals.
		{"Description = 'x'", false, ""},
		{"Description <> 'x'", false, ""},
		{"Description = NULL", false, ""},
		{"Description <> NULL", false, ""},
		{"Name = NULL", false, ""},
		{"Name <> NULL", false, ""},
		{"NULL = Name", false, ""},
		{"Description IS NULL", true, ""},
		{"Description IS NOT NULL", false, ""},
		{"Name IS NULL", false, ""},
		{"Name IS NOT NULL", true, ""},
		{"Empty IS NULL", false, ""},
		{"Description LIKE '%'", false, ""},
		{"NOT Description = 'x'", true, ""}, // two-valued logic
		// LIKE.
		{"Name LIKE 'contoso%'", true, ""},
		{"Name LIKE '%OFFICE'", true, ""},
		{"Name LIKE 'c_ntoso [n-p]ffice'", true, ""},
		{"Name LIKE 'contoso'", false, ""},
		{`Path LIKE 'c:\temp\%'`, true, ""}, // no escapes inside LIKE
		{`Path LIKE "%\it's"`, true, ""},
		{`Path LIKE 'c:\\temp%'`, false, ""},
		// Precedence and logic.
		{"Type = 1 OR Type = 2 AND Name = 'x'", true, ""},
		{"(Type = 1 OR Type = 2) AND Name = 'x'", false, ""},
		{"NOT Type = 1 AND Name = 'x'", false, ""},
		{"NOT Type = 2 AND NOT Name = 'x'", true, ""},
		{"NOT (Type = 2 AND Name = 'x')", true, ""},
		{"NOT NOT Type = 1", true, ""},
		{"Type = 2 OR Name = 'x' OR Enabled = FALSE", false, ""},
		{"Type = 1 AND Name LIKE 'c%' AND Description IS NULL", true, ""},
		{"Type = 2 OR Type = 3 OR Type = 1", true, ""},
		{"Type = 2 OR Type = 3 OR Type = NULL", false, ""},
		{"Name = 'a' OR Name = 'CONTOSO OFFICE' OR Name = 5", true, ""},
		{"Enabled = FALSE OR Enabled = TRUE", true, ""},
		// Unknown properties are errors wherever they appear: there is no short-circuit.
		{"Nope = 1", false, `unknown property "Nope"`},
		{"Nope <> NULL", false, `unknown property "Nope"`},
		{"Nope LIKE '%'", false, `unknown property "Nope"`},
		{"Nope IS NULL", false, `unknown property "Nope"`},
		{"NOT Nope IS NOT NULL", false, `unknown property "Nope"`},
		{"Type = 1 OR Nope = 1", false, `unknown property "Nope"`},
		{"Type = 2 AND Nope = 1", false, `unknown property "Nope"`},
		{"Nope = 1 OR Nope = 2 OR Type = 1", false, `unknown property "Nope"`},
		{"Type = 1 OR Nope = 1 OR Other = 2", false, `unknown property "Nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.where, func(t *testing.T) {
			t.Parallel()
			q := mustParse(t, prefix+tt.where)
			got, err := q.Match(testRow)
			if tt.wantErr != "" {
				var upe *UnknownPropertyError
				if err == nil || err.Error() != tt.wantErr || !errors.As(err, &upe) {
					t.Fatalf("Match = %v, %v; want error %q (*UnknownPropertyError)", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Match = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestMatchWithoutWhere(t *testing.T) {
	t.Parallel()
	q := mustParse(t, "SELECT Name FROM MSFT_IPAM_AddressSpace")
	if m, err := q.Match(mapRow{}); !m || err != nil {
		t.Errorf("Match = %v, %v; want true, nil", m, err)
	}
}

func TestParseNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"1", "1.0", true},
		{"1", "+1", true},
		{"0", "-0", true},
		{"0", ".0", true},
		{"0.5", ".5", true},
		{"100", "1e2", true},
		{"100", "1E+2", true},
		{"0.01", "1e-2", true},
		{"120.5", "00120.500", true},
		{"-3", "3", false},
		{"1", "1.0000000000000000000001", false},
		{"9007199254740993", "9007199254740992", false},
	}
	for _, tt := range tests {
		t.Run(tt.a+"~"+tt.b, func(t *testing.T) {
			t.Parallel()
			x, okx := parseNumber(tt.a)
			y, oky := parseNumber(tt.b)
			if !okx || !oky || (x == y) != tt.want {
				t.Errorf("parseNumber(%q) = %v %v, parseNumber(%q) = %v %v; want equal=%v", tt.a, x, okx, tt.b, y, oky, tt.want)
			}
		})
	}
	for _, s := range []string{"", "-", "+", ".", "1e", "1e+", "e1", "1.2.3", " 1", "1 ", "0x10", "Inf", "NaN", "1_000", "1e1000000001", "--1"} {
		if n, ok := parseNumber(s); ok {
			t.Errorf("parseNumber(%q) = %v, true; want not a number", s, n)
		}
	}
}

func TestEqualityKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		where string // "" for no WHERE
		prop  string
		want  []string // nil: not an equality lookup
	}{
		{"InstanceID = 'a'", "InstanceID", []string{"a"}},
		{"instanceid = 'a'", "INSTANCEID", []string{"a"}},
		{"'a' = InstanceID", "InstanceID", []string{"a"}},
		{`InstanceID = "a" OR InstanceID = 'b'`, "InstanceID", []string{"a", "b"}},
		{"(InstanceID = 'a' OR (InstanceID = 'b')) OR ((InstanceID = 'c' OR InstanceID = 'd'))", "InstanceID", []string{"a", "b", "c", "d"}},
		{"InstanceID = 'a' OR InstanceID = 'A' OR InstanceID = 'b' OR InstanceID = 'a'", "InstanceID", []string{"a", "b"}},
		{"InstanceID = ''", "InstanceID", []string{""}},
		{"((InstanceID = 'x'))", "InstanceID", []string{"x"}},
		{"", "InstanceID", nil},
		{"InstanceID = 'a'", "Name", nil},
		{"InstanceID = 'a' OR Name = 'b'", "InstanceID", nil},
		{"InstanceID = 'a' AND InstanceID = 'b'", "InstanceID", nil},
		{"InstanceID = 'a' OR InstanceID = 'b' AND Name = 'c'", "InstanceID", nil},
		{"InstanceID <> 'a'", "InstanceID", nil},
		{"InstanceID != 'a' OR InstanceID = 'b'", "InstanceID", nil},
		{"NOT InstanceID = 'a'", "InstanceID", nil},
		{"InstanceID = 1", "InstanceID", nil},
		{"InstanceID = TRUE", "InstanceID", nil},
		{"InstanceID = NULL OR InstanceID = 'a'", "InstanceID", nil},
		{"InstanceID LIKE 'a'", "InstanceID", nil},
		{"InstanceID IS NULL OR InstanceID = 'a'", "InstanceID", nil},
	}
	for _, tt := range tests {
		t.Run(tt.where+"/"+tt.prop, func(t *testing.T) {
			t.Parallel()
			src := "SELECT * FROM MSFT_IPAM_AddressSpace"
			if tt.where != "" {
				src = prefix + tt.where
			}
			got, ok := mustParse(t, src).EqualityKeys(tt.prop)
			if ok != (tt.want != nil) || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("EqualityKeys(%q) = %#v, %v; want %#v, %v", tt.prop, got, ok, tt.want, tt.want != nil)
			}
		})
	}
}

// TestEqualityKeysAgreeWithEval checks the contract the emulator relies on: when EqualityKeys says
// yes, a row matches exactly when its value equals one of the keys under strings.EqualFold.
func TestEqualityKeysAgreeWithEval(t *testing.T) {
	t.Parallel()
	values := []string{"a", "A", "b", "ǅ", "ǆ", "k", "\u212a", "", "1", "01", "x y", "\xff", "\ufffd"}
	for _, w := range []string{
		"P = 'a'", "P = 'ǆ' OR P = 'K'", "P = '' OR (P = '1' OR P = 'b')", "P = '\ufffd' OR P = 'Z'",
	} {
		q := mustParse(t, prefix+w)
		keys, ok := q.EqualityKeys("p")
		if !ok {
			t.Fatalf("%s: EqualityKeys not ok", w)
		}
		for _, v := range values {
			want := false
			for _, k := range keys {
				want = want || strings.EqualFold(k, v)
			}
			if got, err := q.Match(mapRow{"p": v}); err != nil || got != want {
				t.Errorf("%s with P=%q: Match = %v, %v; keys %q say %v", w, v, got, err, keys, want)
			}
		}
	}
}

// TestGroupedOrAgreesWithTerms checks that the eqGroup optimisation in orExpr gives exactly the result
// of evaluating each term on its own, over random mixes of literals and values.
func TestGroupedOrAgreesWithTerms(t *testing.T) {
	t.Parallel()
	lits := []string{"'a'", "'A'", "'1'", "'01'", "1", "01", "1.0", "-0", "0", "2", "TRUE", "FALSE", "NULL", "'true'", "'ǅ'", "'k'", "'\\''"}
	values := []any{"a", "1", "01", "1.00", "0", "-0.0", "1e0", "2", "true", "FALSE", "ǆ", "\u212a", "'", "", nil}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		var parts []string
		for range 2 + rng.IntN(6) {
			prop := []string{"P", "P", "P", "Q"}[rng.IntN(4)]
			op := []string{"=", "=", "=", "<>"}[rng.IntN(4)]
			parts = append(parts, prop+" "+op+" "+lits[rng.IntN(len(lits))])
		}
		where := strings.Join(parts, " OR ")
		o, ok := mustParse(t, prefix+where).Where.(*orExpr)
		if !ok {
			t.Fatalf("%s did not parse to an orExpr", where)
		}
		for _, v := range values {
			row := mapRow{"p": v, "q": values[(i+1)%len(values)]}
			want := false
			for _, term := range o.terms {
				m, err := term.Eval(row)
				if err != nil {
					t.Fatal(err)
				}
				want = want || m
			}
			if got, err := o.Eval(row); err != nil || got != want {
				t.Errorf("%s with P=%v: grouped Eval = %v, %v; term by term %v", where, v, got, err, want)
			}
		}
	}
}

func TestUnknownPropertyErrorIsDeterministic(t *testing.T) {
	t.Parallel()
	q := mustParse(t, prefix+"A = 1 OR B = 2 OR A = 3 OR C LIKE 'x'")
	for _, row := range []mapRow{{"a": "1"}, {"a": "2"}, {"a": nil}} {
		_, err := q.Match(row)
		if want := fmt.Sprintf("unknown property %q", "B"); err == nil || err.Error() != want {
			t.Errorf("Match(%v) error = %v, want %s", row, err, want)
		}
	}
}

func TestConcurrentMatch(t *testing.T) {
	t.Parallel()
	q := mustParse(t, orQuery(100)+" OR Name LIKE 'x%' OR NOT Type = 1")
	done := make(chan int)
	for g := range 8 {
		go func() {
			n := 0
			for i := range 1000 {
				if m, err := q.Match(mapRow{"instanceid": fmt.Sprintf("ID-%d", (i+g)%200), "name": "y", "type": "1"}); err == nil && m {
					n++
				}
			}
			done <- n
		}()
	}
	for range 8 {
		if n := <-done; n != 500 {
			t.Errorf("a goroutine matched %d rows, want 500", n)
		}
	}
	_ = q.String()
}
