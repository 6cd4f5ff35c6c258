package ipam

import (
	"errors"
	"fmt"
	"testing"
)

func TestParseType(t *testing.T) {
	checkExamples(t, "ParseType", orError(ParseType), []example[string, any]{
		{"Provider", TypeProvider},
		{"provider", TypeProvider},
		{"PROVIDER", TypeProvider},
		{"pRoViDeR", TypeProvider},
		{"ProviderAddressSpace", TypeProvider},
		{"provideraddressspace", TypeProvider},
		{"PROVIDERADDRESSSPACE", TypeProvider},
		{"0", TypeProvider},
		{" Provider ", TypeProvider},
		{"\tProviderAddressSpace\n", TypeProvider},
		{"Customer", TypeCustomer},
		{"customer", TypeCustomer},
		{"CUSTOMER", TypeCustomer},
		{"CustomerAddressSpace", TypeCustomer},
		{"customerAddressSpace", TypeCustomer},
		{"1", TypeCustomer},
		{" 1 ", TypeCustomer},
	})
}

func TestParseTypeErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", " ", "2", "00", "01", "-1", "Type(0)", "Providers", "Provider AddressSpace",
		"Provider Address Space", "PA", "CA", "Virtual", "NonVirtualized", "Provider\x00", "Customer;"} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseType(in)
			wantInvalid(t, fmt.Sprintf("ParseType(%q)", in), err, "Provider", "Customer")
		})
	}
}

func TestTypeStringAndValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ   Type
		str   string
		valid bool
	}{
		{TypeProvider, "Provider", true},
		{TypeCustomer, "Customer", true},
		{2, "Type(2)", false},
		{65535, "Type(65535)", false},
	}
	for _, tt := range tests {
		t.Run(tt.str, func(t *testing.T) {
			t.Parallel()
			if got := tt.typ.String(); got != tt.str {
				t.Errorf("Type(%d).String() = %q, want %q", uint16(tt.typ), got, tt.str)
			}
			if got := tt.typ.Valid(); got != tt.valid {
				t.Errorf("Type(%d).Valid() = %v, want %v", uint16(tt.typ), got, tt.valid)
			}
			if tt.valid {
				// What String prints, ParseType reads back.
				if back, err := ParseType(tt.str); err != nil || back != tt.typ {
					t.Errorf("ParseType(%q) = %v, %v; want %v", tt.str, back, err, tt.typ)
				}
			}
		})
	}
}

func TestTypeNumbering(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n                  TypeNumbering
		provider, customer uint16
		names              []uint16 // wire numbers that name no type
	}{
		{NumberingWMI, 0, 1, []uint16{2, 3, 65535}},
		{NumberingIPAMM2, 1, 2, []uint16{0, 3, 65535}},
	} {
		if got := tc.n.Wire(TypeProvider); got != tc.provider {
			t.Errorf("%s: Provider is %d, want %d", tc.n, got, tc.provider)
		}
		if got := tc.n.Wire(TypeCustomer); got != tc.customer {
			t.Errorf("%s: Customer is %d, want %d", tc.n, got, tc.customer)
		}
		for v, want := range map[uint16]Type{tc.provider: TypeProvider, tc.customer: TypeCustomer} {
			if got, ok := tc.n.FromWire(v); !ok || got != want {
				t.Errorf("%s: %d reads as %v %v, want %v", tc.n, v, got, ok, want)
			}
		}
		for _, v := range tc.names {
			if got, ok := tc.n.FromWire(v); ok {
				t.Errorf("%s: %d reads as %v", tc.n, v, got)
			}
		}
		// A Type that is not valid maps to a number that reads as no type.
		if _, ok := tc.n.FromWire(tc.n.Wire(Type(7))); ok {
			t.Errorf("%s: Type(7) survives a round trip", tc.n)
		}
		back, err := ParseTypeNumbering(tc.n.String())
		if err != nil || back != tc.n {
			t.Errorf("%s: parses back as %v, %v", tc.n, back, err)
		}
	}
	if _, err := ParseTypeNumbering("cim"); !errors.Is(err, ErrInvalid) {
		t.Errorf("cim: %v", err)
	}
}

func TestUtilizationString(t *testing.T) {
	checkExamples(t, "Utilization.String", Utilization.String, []example[Utilization, string]{
		{UtilizationNone, "None"},
		{UtilizationUnder, "Under"},
		{UtilizationOptimal, "Optimal"},
		{UtilizationOver, "Over"},
		{4, "Utilization(4)"},
		{65535, "Utilization(65535)"},
	})
}

func TestCanonicalIsolationMethod(t *testing.T) {
	checkExamples(t, "CanonicalIsolationMethod", orError(CanonicalIsolationMethod), []example[string, any]{
		{"NVGRE", "NVGRE"},
		{"nvgre", "NVGRE"},
		{"NvGre", "NVGRE"},
		{"IPRewrite", "IPRewrite"},
		{"iprewrite", "IPRewrite"},
		{"IPREWRITE", "IPRewrite"},
		{"ipReWrite", "IPRewrite"},
	})
}

func TestCanonicalIsolationMethodErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", " ", "GRE", "VXLAN", "NVGRE ", " NVGRE", "IP Rewrite", "IPRewrite;", "NVGRE,IPRewrite"} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			got, err := CanonicalIsolationMethod(in)
			wantInvalid(t, fmt.Sprintf("CanonicalIsolationMethod(%q)", in), err, IsolationMethods...)
			if got != "" {
				t.Errorf("CanonicalIsolationMethod(%q) returned %q with its error", in, got)
			}
		})
	}
}

func TestIsolationMethods(t *testing.T) {
	t.Parallel()
	if len(IsolationMethods) != 2 || IsolationMethods[0] != IsolationNVGRE || IsolationMethods[1] != IsolationIPRewrite {
		t.Errorf("IsolationMethods = %q, want [NVGRE IPRewrite]", IsolationMethods)
	}
	if IsolationNVGRE != "NVGRE" || IsolationIPRewrite != "IPRewrite" {
		t.Errorf("isolation constants are %q, %q", IsolationNVGRE, IsolationIPRewrite)
	}
}

func TestSameName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"MainDataCenter", "MainDatacenter", true},
		{"Default", "DEFAULT", true},
		{"a", "a", true},
		{"", "", true},
		{"a", "b", false},
		{"a", "a ", false},
		{"Straße", "STRASSE", false}, // simple case folding only
		{"Σίσυφος", "ΣΊΣΥΦΟΣ", true},
	}
	for _, tt := range tests {
		t.Run(tt.a+"|"+tt.b, func(t *testing.T) {
			t.Parallel()
			if got := SameName(tt.a, tt.b); got != tt.want {
				t.Errorf("SameName(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := SameName(tt.b, tt.a); got != tt.want {
				t.Errorf("SameName(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
			}
		})
	}
}
