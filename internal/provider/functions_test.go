package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
	"github.com/winipam/terraform-provider-ipam/internal/acctest"
)

// functionTest runs one configuration that only calls provider functions: no IPAM server is
// needed, but it is real Terraform (1.8+ has provider functions).
func functionTest(t *testing.T, steps ...resource.TestStep) {
	t.Helper()
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps:                    steps,
	})
}

// functionOutput is an output whose value is a provider function's result: its name, the
// argument as written in HCL, and the value expected.
type functionOutput struct {
	name, argument string
	want           knownvalue.Check
}

// functionOutputs runs one configuration with an output of fn's result for each argument, and
// checks each output's value.
func functionOutputs(t *testing.T, fn string, outputs ...functionOutput) {
	t.Helper()
	var config strings.Builder
	checks := make([]statecheck.StateCheck, len(outputs))
	for i, o := range outputs {
		fmt.Fprintf(&config, "output %q {\n  value = provider::ipam::%s(%s)\n}\n", o.name, fn, o.argument)
		checks[i] = statecheck.ExpectKnownOutputValue(o.name, o.want)
	}
	functionTest(t, resource.TestStep{Config: config.String(), ConfigStateChecks: checks})
}

func TestAccParseCustomConfigurationFunction(t *testing.T) {
	functionOutputs(t, "parse_custom_configuration",
		functionOutput{"spaced", `" Region = West ;; CostCenter=42; "`, acctest.StringMap(map[string]string{"Region": "West", "CostCenter": "42"})},
		functionOutput{"canonical", `"CostCenter=42;Region=West"`, acctest.StringMap(map[string]string{"Region": "West", "CostCenter": "42"})},
		functionOutput{"empty_value", `"Region="`, acctest.StringMap(map[string]string{"Region": ""})},
		functionOutput{"empty", `""`, knownvalue.MapSizeExact(0)},
		functionOutput{"blank", `" ; "`, knownvalue.MapSizeExact(0)},
		functionOutput{"unicode", `"Région=Île-de-France"`, acctest.StringMap(map[string]string{"Région": "Île-de-France"})},
	)
}

func TestAccFormatCustomConfigurationFunction(t *testing.T) {
	functionOutputs(t, "format_custom_configuration",
		// Names sort ignoring case, as CustomConfiguration.String does on the wire.
		functionOutput{"sorted", `{ Region = "West", costCenter = "42", Alpha = "a b" }`, knownvalue.StringExact("Alpha=a b;costCenter=42;Region=West")},
		functionOutput{"one", `{ Region = "West" }`, knownvalue.StringExact("Region=West")},
		functionOutput{"empty_value", `{ Region = "" }`, knownvalue.StringExact("Region=")},
		functionOutput{"empty", `{}`, knownvalue.StringExact("")},
	)
}

func TestAccCustomConfigurationFunction_roundTrip(t *testing.T) {
	functionTest(t, resource.TestStep{
		Config: `
locals {
  wire = " region = West ; CostCenter=42;Owner Team=Net Ops "
  map  = { Zeta = "1", alpha = "2", Mid = "x y" }
}
output "canonical" {
  value = provider::ipam::format_custom_configuration(provider::ipam::parse_custom_configuration(local.wire))
}
output "canonical_again" {
  value = provider::ipam::format_custom_configuration(provider::ipam::parse_custom_configuration(
    provider::ipam::format_custom_configuration(provider::ipam::parse_custom_configuration(local.wire))))
}
output "map" {
  value = provider::ipam::parse_custom_configuration(provider::ipam::format_custom_configuration(local.map))
}
output "map_equal" {
  value = provider::ipam::parse_custom_configuration(provider::ipam::format_custom_configuration(local.map)) == tomap(local.map)
}
`,
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("canonical", knownvalue.StringExact("CostCenter=42;Owner Team=Net Ops;region=West")),
			statecheck.ExpectKnownOutputValue("canonical_again", knownvalue.StringExact("CostCenter=42;Owner Team=Net Ops;region=West")),
			statecheck.ExpectKnownOutputValue("map", knownvalue.MapExact(map[string]knownvalue.Check{
				"Zeta": knownvalue.StringExact("1"), "alpha": knownvalue.StringExact("2"), "Mid": knownvalue.StringExact("x y"),
			})),
			statecheck.ExpectKnownOutputValue("map_equal", knownvalue.Bool(true)),
		},
	})
}

// Arguments known only after apply give a result known only after apply, then the right value.
func TestAccCustomConfigurationFunction_unknown(t *testing.T) {
	functionTest(t, resource.TestStep{
		Config: `
resource "terraform_data" "wire" {
  input = "Region=West;CostCenter=42"
}
resource "terraform_data" "region" {
  input = "West"
}
output "parsed" {
  value = provider::ipam::parse_custom_configuration(terraform_data.wire.output)
}
output "formatted" {
  value = provider::ipam::format_custom_configuration({ Region = terraform_data.region.output, CostCenter = "42" })
}
`,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownOutputValue("parsed"),
				plancheck.ExpectUnknownOutputValue("formatted"),
			},
		},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("parsed", knownvalue.MapExact(map[string]knownvalue.Check{
				"Region": knownvalue.StringExact("West"), "CostCenter": knownvalue.StringExact("42"),
			})),
			statecheck.ExpectKnownOutputValue("formatted", knownvalue.StringExact("CostCenter=42;Region=West")),
		},
	})
}

func TestAccParseCustomConfigurationFunction_errors(t *testing.T) {
	for _, tc := range []struct {
		name, input, want string
	}{
		{"no equals", "Region", `custom configuration entry "Region" is not Name=Value`},
		{"no equals among others", "Region=West;CostCenter", `custom configuration entry "CostCenter" is not Name=Value`},
		{"no name", "=West", `custom configuration entry "=West" has no field name`},
		{"equals in value", "Region=West=East", `value of custom field "Region" contains ';' or '='`},
		{"twice", "Region=West;Region=East", `custom field "Region" is given twice`},
		{"differ in case", "Region=West;REGION=East", `custom field "Region" is given twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			functionFails(t, "parse_custom_configuration", hclString(tc.input), functionArgumentError("parse_custom_configuration", tc.want))
		})
	}
}

func TestAccFormatCustomConfigurationFunction_errors(t *testing.T) {
	for _, tc := range []struct {
		name, input, want string
	}{
		{"semicolon in value", `{ Region = "West;East" }`, `value of custom field "Region" contains ';' or '='`},
		{"equals in value", `{ Region = "West=East" }`, `value of custom field "Region" contains ';' or '='`},
		{"semicolon in name", `{ "Re;gion" = "West" }`, `custom field name "Re;gion" contains ';' or '='`},
		{"equals in name", `{ "Re=gion" = "West" }`, `custom field name "Re=gion" contains ';' or '='`},
		{"differ in case", `{ Region = "West", REGION = "East" }`, `custom fields "REGION" and "Region" differ only in case`},
		{"blank name", `{ " " = "West" }`, `a custom field name is blank`},
		{"empty name", `{ "" = "West" }`, `a custom field name is blank`},
		{"blanks around name", `{ " Region" = "West" }`, `custom field name " Region" has leading or trailing blanks`},
		{"blanks around value", `{ Region = "West " }`, `value of custom field "Region" has leading or trailing blanks`},
		{"null value", `{ Region = null }`, `value of custom field "Region" is null`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			functionFails(t, "format_custom_configuration", tc.input, functionArgumentError("format_custom_configuration", tc.want))
		})
	}
}

// A null argument is refused by Terraform itself (the parameters do not allow null).
func TestAccCustomConfigurationFunction_null(t *testing.T) {
	for _, fn := range []string{"parse_custom_configuration", "format_custom_configuration"} {
		t.Run(fn, func(t *testing.T) {
			functionFails(t, fn, "null", acctest.ErrorText(`argument must not be null`))
		})
	}
}

// functionFails runs a configuration whose one output calls fn with argument (as written in HCL):
// it must fail with an error that matches want.
func functionFails(t *testing.T, fn, argument string, want *regexp.Regexp) {
	t.Helper()
	functionTest(t, resource.TestStep{
		Config:      fmt.Sprintf("output \"test\" {\n  value = provider::ipam::%s(%s)\n}\n", fn, argument),
		ExpectError: want,
	})
}

// functionArgumentError matches the error Terraform shows when a function refuses its argument.
func functionArgumentError(function, want string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)Invalid function argument.*` +
		acctest.ErrorText(`while calling provider::ipam::`+function+`(custom_configuration)`).String() + `.*` +
		acctest.ErrorText(`Invalid value for "custom_configuration" parameter: `+want).String())
}

// hclString quotes s as an HCL string literal (no templates).
func hclString(s string) string {
	s = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "${", "$${", "%{", "%%{").Replace(s)
	return `"` + s + `"`
}
