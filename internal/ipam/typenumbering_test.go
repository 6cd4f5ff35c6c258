package ipam

import (
	"errors"
	"testing"
)

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
