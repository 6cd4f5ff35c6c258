package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// BenchmarkBulkPlanApply profiles the resource's own work for a changed plan and a refresh of
// 1,000 items, against an in-memory server; make bench measures the whole provider.

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

func BenchmarkBulkPlanApply(b *testing.B) {
	for _, n := range []int{1000} {
		b.Run(fmt.Sprint("N=", n), func(b *testing.B) {
			config := configDV(b, benchSpaces(n, "old"))
			fake := newFakeIPAM()
			r := &bulkResource{client: func() ipam.Client { return fake }}
			ctx := context.Background()
			plan, _ := r.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: bulkTypeName,
				Config: config, ProposedNewState: config, PriorState: nullBulk()})
			applied, _ := r.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: bulkTypeName,
				PlannedState: plan.PlannedState, Config: config, PriorState: nullBulk()})
			if len(applied.Diagnostics) > 0 {
				b.Fatal(applied.Diagnostics[0].Summary, applied.Diagnostics[0].Detail)
			}
			newConfig := configDV(b, benchSpaces(n, "new"))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p, _ := r.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: bulkTypeName,
					Config: newConfig, ProposedNewState: newConfig, PriorState: applied.NewState})
				if len(p.Diagnostics) > 0 {
					b.Fatal(p.Diagnostics[0].Summary)
				}
				if rr, _ := r.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: bulkTypeName, CurrentState: applied.NewState}); len(rr.Diagnostics) > 0 {
					b.Fatal(rr.Diagnostics[0].Summary)
				}
			}
		})
	}
}
