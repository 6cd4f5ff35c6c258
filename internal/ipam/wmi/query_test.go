package wmi_test

import (
	"context"
	"errors"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/ipam/wmi"
)

func TestQueryFor(t *testing.T) {
	t.Parallel()
	prov, cust := ipam.TypeProvider, ipam.TypeCustomer
	const sel = "SELECT * FROM MSFT_IPAM_AddressSpace WHERE "
	for _, tc := range []struct {
		f    ipam.Filter
		n    ipam.TypeNumbering
		want string
	}{
		{ipam.Filter{Type: &prov}, ipam.NumberingWMI, sel + "Type = 0"},
		{ipam.Filter{Type: &cust}, ipam.NumberingWMI, sel + "Type = 1"},
		{ipam.Filter{Type: &prov}, ipam.NumberingIPAMM2, sel + "Type = 1"},
		{ipam.Filter{Type: &cust, Tenant: "t'1"}, ipam.NumberingIPAMM2, sel + `Type = 2 AND Tenant = 't\'1'`},
		{ipam.Filter{NameLike: `lab\%`}, ipam.NumberingWMI, sel + `Name LIKE 'lab\%'`},
		{ipam.Filter{NameLike: `it's%`}, ipam.NumberingWMI, sel + `Name LIKE "it's%"`},
		{ipam.Filter{}, ipam.NumberingIPAMM2, "SELECT * FROM MSFT_IPAM_AddressSpace"},
	} {
		if got := wmi.QueryFor(tc.f, tc.n); got != tc.want {
			t.Errorf("%+v in %s:\n got %s\nwant %s", tc.f, tc.n, got, tc.want)
		}
	}
}

// A LIKE pattern no WQL literal can hold is refused before anything is sent.
func TestListRefusesUnquotablePattern(t *testing.T) {
	t.Parallel()
	p := startProxy(t, emulator.Config{}, nil)
	_, err := p.client(t, nil).List(context.Background(), ipam.Filter{NameLike: `it's "x"`})
	if !errors.Is(err, ipam.ErrInvalid) || len(p.actions()) != 0 {
		t.Fatalf("%v, %d requests", err, len(p.actions()))
	}
}
