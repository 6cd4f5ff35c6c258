package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The served provider lists ipam_address_spaces beside the framework's resources, and the bulk
// resource uses the client the framework's provider configured.
func TestServerRoutesAndSharesTheClient(t *testing.T) {
	fake := newFakeIPAM()
	s, err := NewServerWithClient("test", fake)()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schema, _ := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	noDiags(t, schema.Diagnostics)
	for _, name := range []string{bulkTypeName, "ipam_provider_address_space", "ipam_customer_address_space"} {
		if schema.ResourceSchemas[name] == nil {
			t.Errorf("no schema for %s", name)
		}
	}
	meta, _ := s.GetMetadata(ctx, &tfprotov6.GetMetadataRequest{})
	var listed bool
	for _, r := range meta.Resources {
		listed = listed || r.TypeName == bulkTypeName
	}
	if !listed {
		t.Errorf("GetMetadata does not list %s: %v", bulkTypeName, meta.Resources)
	}

	// Before the provider is configured, the bulk resource says so instead of failing obscurely.
	config := configDV(t, obj(map[string]tftypes.Value{"DC": obj(map[string]tftypes.Value{"type": str("Provider")})}))
	early, _ := s.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: bulkTypeName, Config: config,
		PlannedState: config, PriorState: nullBulk()})
	if len(early.Diagnostics) == 0 || early.Diagnostics[0].Summary != "Provider not configured" {
		t.Errorf("apply before configure: %v", early.Diagnostics)
	}

	typ, ok := schema.Provider.ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("the provider schema is not an object: %v", schema.Provider.ValueType())
	}
	attrs := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		attrs[name] = tftypes.NewValue(at, nil)
	}
	providerConfig, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, attrs))
	if err != nil {
		t.Fatal(err)
	}
	configured, _ := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &providerConfig})
	noDiags(t, configured.Diagnostics)

	plan, _ := s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: bulkTypeName, Config: config,
		ProposedNewState: config, PriorState: nullBulk()})
	noDiags(t, plan.Diagnostics)
	applied, _ := s.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: bulkTypeName, Config: config,
		PlannedState: plan.PlannedState, PriorState: nullBulk(), PlannedPrivate: plan.PlannedPrivate})
	noDiags(t, applied.Diagnostics)
	if fake.spaces["dc"] == nil {
		t.Errorf("the bulk resource did not reach the configured client: %v", fake.calls)
	}
}
