package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// benchSpaces is address_spaces as Terraform sends an object literal of n items.
func benchSpaces(n int, desc string) tftypes.Value {
	items := map[string]tftypes.Value{}
	for i := 0; i < n; i++ {
		attrs := map[string]tftypes.Value{"type": str("Customer"), "provider_address_space": str("PA"), "isolation_method": str("NVGRE"),
			"tenant": str(fmt.Sprint("t", i)), "description": str(desc), "owner": str("netops"),
			"custom_configuration": obj(map[string]tftypes.Value{"Region": str("west")})}
		if i == 0 {
			attrs = map[string]tftypes.Value{"type": str("Provider")}
		}
		name := fmt.Sprintf("CA-%05d", i)
		if i == 0 {
			name = "PA"
		}
		items[name] = obj(attrs)
	}
	return obj(items)
}

func benchDV(b *testing.B, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	var d diagnostics
	dv := encodeBulk(attrs, nil, &d)
	if d.hasError() {
		b.Fatal(d[0].Detail)
	}
	return dv
}

func BenchmarkBulkPlanApply(b *testing.B) {
	for _, n := range []int{1000} {
		b.Run(fmt.Sprint("N=", n), func(b *testing.B) {
			config := map[string]tftypes.Value{"address_spaces": benchSpaces(n, "old")}
			fake := newFakeIPAM()
			r := &bulkResource{client: func() ipam.Client { return fake }}
			ctx := context.Background()
			plan, _ := r.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: bulkTypeName,
				Config: benchDV(b, config), ProposedNewState: benchDV(b, config), PriorState: benchDV(b, nil)})
			applied, _ := r.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: bulkTypeName,
				PlannedState: plan.PlannedState, Config: benchDV(b, config), PriorState: benchDV(b, nil)})
			if len(applied.Diagnostics) > 0 {
				b.Fatal(applied.Diagnostics[0].Summary, applied.Diagnostics[0].Detail)
			}
			newConfig := map[string]tftypes.Value{"address_spaces": benchSpaces(n, "new")}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p, _ := r.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: bulkTypeName,
					Config: benchDV(b, newConfig), ProposedNewState: benchDV(b, newConfig), PriorState: applied.NewState})
				_, _ = r.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: bulkTypeName, CurrentState: applied.NewState})
				_ = p
			}
		})
	}
}
