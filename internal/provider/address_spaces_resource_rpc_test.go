package provider

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// The resource's calls as Terraform makes them, against fakeIPAM: what reaches the server, and
// which values come back as they went in.

// configDV is a configuration with address_spaces, as Terraform sends it.
func configDV(t testing.TB, spaces tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	attrs := map[string]tftypes.Value{}
	for name, typ := range bulkTypeTF.AttributeTypes {
		attrs[name] = tftypes.NewValue(typ, nil)
	}
	attrs["address_spaces"] = spaces
	dv, err := tfprotov6.NewDynamicValue(bulkTypeTF, tftypes.NewValue(bulkTypeTF, attrs))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func noDiags(t *testing.T, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	for _, d := range diags {
		t.Fatalf("%s: %s", d.Summary, d.Detail)
	}
}

func attrOf(t *testing.T, dv *tfprotov6.DynamicValue, name string) tftypes.Value {
	t.Helper()
	v, err := dv.Unmarshal(bulkTypeTF)
	if err != nil {
		t.Fatal(err)
	}
	attrs, _ := members(v)
	return attrs[name]
}

// create applies config to an empty state and returns the new state.
func create(t *testing.T, r *bulkResource, config *tfprotov6.DynamicValue) *tfprotov6.DynamicValue {
	t.Helper()
	ctx := context.Background()
	plan, _ := r.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: bulkTypeName, Config: config,
		ProposedNewState: config, PriorState: nullBulk()})
	noDiags(t, plan.Diagnostics)
	if !hasPrivate(plan.PlannedPrivate, privateReplacing) {
		t.Error("the plan of a create carries no replacing mark")
	}
	applied, _ := r.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: bulkTypeName, Config: config,
		PlannedState: plan.PlannedState, PriorState: nullBulk(), PlannedPrivate: plan.PlannedPrivate})
	noDiags(t, applied.Diagnostics)
	if hasPrivate(applied.Private, privateReplacing) {
		t.Error("the state after a create keeps the replacing mark")
	}
	return applied.NewState
}

func TestBulkRPCsPassValuesThrough(t *testing.T) {
	fake := newFakeIPAM()
	r := &bulkResource{client: func() ipam.Client { return fake }}
	ctx := context.Background()
	config := configDV(t, obj(map[string]tftypes.Value{
		"DC": obj(map[string]tftypes.Value{"type": str("Provider"), "owner": str("netops")}),
		"T1": obj(map[string]tftypes.Value{"type": str("Customer"), "provider_address_space": str("dc"), "isolation_method": str("nvgre")}),
	}))
	st := create(t, r, config)
	if got := attrOf(t, st, "ids"); !got.IsFullyKnown() || got.IsNull() {
		t.Fatalf("ids after create: %v", got)
	}
	if fake.spaces["t1"] == nil || fake.spaces["t1"].IsolationMethod != "NVGRE" {
		t.Fatalf("server after create: %+v", fake.spaces)
	}

	// A refresh that finds what the state holds (as IPAM compares: "dc" is DC, "nvgre" NVGRE)
	// returns address_spaces as it came.
	read, _ := r.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: bulkTypeName, CurrentState: st})
	noDiags(t, read.Diagnostics)
	if !bytes.Equal(readAttr(t, read.NewState), readAttr(t, st)) {
		t.Error("a refresh without drift rewrote address_spaces")
	}

	// A plan with the same configuration keeps the state's value.
	plan, _ := r.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: bulkTypeName, Config: config,
		ProposedNewState: config, PriorState: read.NewState})
	noDiags(t, plan.Diagnostics)
	if !attrOf(t, plan.PlannedState, "ids").Equal(attrOf(t, st, "ids")) {
		t.Error("a no-op plan changed ids")
	}

	// Drift: the owner changed by hand shows in the refreshed state, in the configuration's shape.
	fake.spaces["dc"].Owner = "by hand"
	read, _ = r.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: bulkTypeName, CurrentState: st})
	noDiags(t, read.Diagnostics)
	spaces, _ := members(attrOf(t, read.NewState, "address_spaces"))
	dc, _ := members(spaces["DC"])
	t1, _ := members(spaces["T1"])
	if !dc["owner"].Equal(str("by hand")) || !t1["provider_address_space"].Equal(str("dc")) {
		t.Errorf("refresh after drift: %v", spaces)
	}

	// Deleted by hand: the refresh drops it, and the plan re-creates it with an unknown id.
	delete(fake.spaces, "t1")
	read, _ = r.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: bulkTypeName, CurrentState: st})
	noDiags(t, read.Diagnostics)
	if spaces, _ := members(attrOf(t, read.NewState, "address_spaces")); len(spaces) != 1 {
		t.Errorf("refresh after a delete by hand: %v", spaces)
	}
	plan, _ = r.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: bulkTypeName, Config: config,
		ProposedNewState: config, PriorState: read.NewState})
	noDiags(t, plan.Diagnostics)
	ids, _ := members(attrOf(t, plan.PlannedState, "ids"))
	if ids["T1"].IsKnown() || !ids["DC"].IsKnown() {
		t.Errorf("plan after a delete by hand: ids %v", ids)
	}
}

func readAttr(t *testing.T, dv *tfprotov6.DynamicValue) []byte {
	t.Helper()
	w, err := readWire(dv)
	if err != nil {
		t.Fatal(err)
	}
	return w.attrs["address_spaces"]
}

// A destroy deletes; a replacement of a partly created resource keeps what that create made.
func TestBulkDeleteAndReplacement(t *testing.T) {
	for _, tc := range []struct {
		name     string
		partial  bool
		private  []byte
		wantKept bool
	}{
		{"destroy", false, nil, false},
		{"replace", false, withPrivate(nil, true), false},
		{"destroy of a partial create", true, nil, false},
		{"replace of a partial create", true, withPrivate(nil, true), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFakeIPAM()
			r := &bulkResource{client: func() ipam.Client { return fake }}
			st := create(t, r, configDV(t, obj(map[string]tftypes.Value{"DC": obj(map[string]tftypes.Value{"type": str("Provider")})})))
			if tc.partial {
				w, _ := readWire(st)
				w.attrs["partial"] = wireBool(true)
				st, _ = writeWire(w.attrs)
			}
			resp, _ := r.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{TypeName: bulkTypeName,
				PriorState: st, PlannedState: nullBulk(), PlannedPrivate: tc.private})
			noDiags(t, resp.Diagnostics)
			if kept := fake.spaces["dc"] != nil; kept != tc.wantKept {
				t.Errorf("address space kept: %v, want %v", kept, tc.wantKept)
			}
		})
	}
}

func TestBulkValidate(t *testing.T) {
	r := &bulkResource{}
	resp, _ := r.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{TypeName: bulkTypeName,
		Config: configDV(t, obj(map[string]tftypes.Value{
			"C1": obj(map[string]tftypes.Value{"type": str("Customer"), "provider_address_space": str("c2"), "isolation_method": str("NVGRE")}),
			"C2": obj(map[string]tftypes.Value{"type": str("Customer"), "provider_address_space": str("PA"), "isolation_method": str("NVGRE")}),
			"X":  obj(map[string]tftypes.Value{"type": str("Provider"), "ownr": str("x")}),
		}))})
	var got []string
	for _, d := range resp.Diagnostics {
		got = append(got, d.Summary)
	}
	if strings.Join(got, "; ") != "Unknown attribute; Not a provider address space" {
		t.Errorf("diagnostics %q", got)
	}
}

// An update that changes one key returns the plan's value to the letter, for the keys it did
// not change too, even where the state spelled them otherwise: Terraform refuses an apply whose
// result differs from its plan.
func TestBulkUpdateReturnsThePlan(t *testing.T) {
	fake := newFakeIPAM()
	r := &bulkResource{client: func() ipam.Client { return fake }}
	ctx := context.Background()
	st := create(t, r, configDV(t, obj(map[string]tftypes.Value{
		"DC": obj(map[string]tftypes.Value{"type": str("Provider"), "owner": str("netops")}),
		"T1": obj(map[string]tftypes.Value{"type": str("Customer"), "provider_address_space": str("DC"), "isolation_method": str("NVGRE")}),
	})))
	config := configDV(t, obj(map[string]tftypes.Value{
		"DC": obj(map[string]tftypes.Value{"type": str("Provider"), "owner": str("netops-2")}),
		"T1": obj(map[string]tftypes.Value{"type": str("Customer"), "provider_address_space": str("dc"), "isolation_method": str("nvgre")}),
	}))
	plan, _ := r.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: bulkTypeName, Config: config,
		ProposedNewState: config, PriorState: st})
	noDiags(t, plan.Diagnostics)
	applied, _ := r.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: bulkTypeName, Config: config,
		PlannedState: plan.PlannedState, PriorState: st})
	noDiags(t, applied.Diagnostics)
	if !bytes.Equal(readAttr(t, applied.NewState), readAttr(t, plan.PlannedState)) {
		t.Errorf("address_spaces after apply: %v\nplanned: %v", attrOf(t, applied.NewState, "address_spaces"), attrOf(t, plan.PlannedState, "address_spaces"))
	}
	if fake.spaces["dc"].Owner != "netops-2" {
		t.Errorf("the changed key was not applied: %+v", fake.spaces["dc"])
	}
}
