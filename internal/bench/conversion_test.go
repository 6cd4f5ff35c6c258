package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/winipam/terraform-provider-ipam/internal/provider"
)

// BenchmarkTerraformMapConversion measures what Terraform does with address_spaces before the
// provider sees it: convert the configured object of N entries to the attribute's map type, with
// go-cty's convert (Terraform 1.11.4 links v1.16.0; its unification is the same in the version this
// module resolves). Terraform converts once per validation, plan and apply; the terraform_data
// floor of make bench does not (its input is dynamic). It skips when the served provider has no
// such map nested attribute to take the type from (a dynamic address_spaces is not converted).
func BenchmarkTerraformMapConversion(b *testing.B) {
	want := cty.Map(addressSpacesItemType(b))
	for _, n := range []int{500, 1000, 2000, 4000} {
		entries := make(map[string]cty.Value, n)
		for i := 1; i <= n; i++ {
			s := customerSpace("bench", i, 1)
			attrs := map[string]cty.Value{}
			for _, a := range s.attrs {
				if a[0] == "custom_configuration" {
					// An object, as HCL evaluates { Region = "EU" }.
					attrs[a[0]] = cty.ObjectVal(map[string]cty.Value{"Region": cty.StringVal("EU")})
					continue
				}
				v, err := strconv.Unquote(a[1])
				if err != nil {
					b.Fatalf("%s = %s: not a string literal", a[0], a[1])
				}
				attrs[a[0]] = cty.StringVal(v)
			}
			entries[s.name] = cty.ObjectVal(attrs)
		}
		config := cty.ObjectVal(entries)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := convert.Convert(config, want); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// addressSpacesItemType is the type Terraform derives from the served schema of address_spaces'
// nested object: its attributes, the optional ones marked so.
func addressSpacesItemType(tb testing.TB) cty.Type {
	ctx := context.Background()
	srv, err := provider.NewServer("bench")()
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		tb.Fatal(err)
	}
	rs, ok := resp.ResourceSchemas["ipam_address_spaces"]
	if !ok || rs.Block == nil {
		tb.Skip("the provider serves no ipam_address_spaces resource, so there is no schema to take the map type from")
	}
	i := slices.IndexFunc(rs.Block.Attributes, func(a *tfprotov6.SchemaAttribute) bool { return a.Name == "address_spaces" })
	if i < 0 {
		tb.Fatal("ipam_address_spaces has no address_spaces attribute")
	}
	attr := rs.Block.Attributes[i]
	if attr.NestedType == nil || attr.NestedType.Nesting != tfprotov6.SchemaObjectNestingModeMap {
		// A dynamic attribute, say: Terraform then takes the configured value as it is, and
		// this conversion is a cost the design does not pay.
		tb.Skipf("address_spaces is a %v attribute, not a map nested one: Terraform converts it to no map type", attr.Type)
	}
	atys := map[string]cty.Type{}
	var optional []string
	for _, a := range attr.NestedType.Attributes {
		switch {
		case a.Type.Equal(tftypes.String):
			atys[a.Name] = cty.String
		case a.Type.Equal(tftypes.Map{ElementType: tftypes.String}):
			atys[a.Name] = cty.Map(cty.String)
		default:
			tb.Fatalf("address_spaces.%s: no cty type for %s", a.Name, a.Type)
		}
		if a.Optional {
			optional = append(optional, a.Name)
		}
	}
	return cty.ObjectWithOptionalAttrs(atys, optional)
}
