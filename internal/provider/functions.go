package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// providerFunction is a provider function: its name, its definition, and what it does.
type providerFunction struct {
	name       string
	definition function.Definition
	run        func(ctx context.Context, req function.RunRequest, resp *function.RunResponse)
}

func (f *providerFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = f.name
}

func (f *providerFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = f.definition
}

func (f *providerFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	f.run(ctx, req, resp)
}

// NewParseCustomConfigurationFunction is provider::ipam::parse_custom_configuration: it lets
// configurations read IPAM's "Name=Value;Name=Value" strings (from exports, CSV files, other tools)
// into the map that custom_configuration takes.
func NewParseCustomConfigurationFunction() function.Function {
	return &providerFunction{
		name: "parse_custom_configuration",
		definition: function.Definition{
			Summary: "Parses an IPAM custom configuration string into a map",
			MarkdownDescription: "Parses IPAM's `CustomConfiguration` wire form, `Name=Value;Name=Value`, into a map of " +
				"custom-field name to value, with the rules the resources apply to `custom_configuration`: blanks around " +
				"names, values and separators are dropped and empty segments are skipped; a segment without `=`, an empty " +
				"name, a value containing `=` or `;`, or two names that differ only in case is an error. An empty string " +
				"gives an empty map. `provider::ipam::format_custom_configuration` turns the result back into the canonical " +
				"form of the string. The built-in fields " + codeList(ipam.BuiltinCustomFields) + " are accepted here, but " +
				"the resources take them as their own attributes, not in `custom_configuration`.",
			Parameters: []function.Parameter{
				function.StringParameter{
					Name:                "custom_configuration",
					MarkdownDescription: "The custom configuration string, e.g. `Region=West;CostCenter=42`.",
				},
			},
			Return: function.MapReturn{ElementType: types.StringType},
		},
		run: runParseCustomConfiguration,
	}
}

func runParseCustomConfiguration(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var s string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &s))
	if resp.Error != nil {
		return
	}
	cc, err := parseCustomConfiguration(s)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, map[string]string(cc)))
}

// parseCustomConfiguration reads the wire form and refuses what would not survive a round trip
// (ParseCustomConfiguration alone is lenient, so that any server answer can be read).
func parseCustomConfiguration(s string) (ipam.CustomConfiguration, error) {
	cc, err := ipam.ParseCustomConfiguration(s)
	if err == nil {
		err = cc.Validate()
	}
	if err != nil {
		return nil, errors.New(trimKind(err))
	}
	return cc, nil
}

// NewFormatCustomConfigurationFunction is provider::ipam::format_custom_configuration: it lets
// configurations hand a custom_configuration map to tools that want IPAM's wire form, in the same
// canonical order the resources send.
func NewFormatCustomConfigurationFunction() function.Function {
	return &providerFunction{
		name: "format_custom_configuration",
		definition: function.Definition{
			Summary: "Formats a map as an IPAM custom configuration string",
			MarkdownDescription: "Formats a map of custom-field name to value as IPAM's `CustomConfiguration` wire form, " +
				"exactly as the resources send `custom_configuration`: `Name=Value` pairs joined by `;`, without blanks, " +
				"names sorted ignoring case. Names must not be blank, must not differ only in case, and neither names nor " +
				"values may contain `;` or `=` or begin or end with blanks; null values are refused. An empty map gives `\"\"`.",
			Parameters: []function.Parameter{
				function.MapParameter{
					Name:                "custom_configuration",
					ElementType:         types.StringType,
					MarkdownDescription: "Map of custom-field name to value, e.g. `{ Region = \"West\", CostCenter = \"42\" }`.",
				},
			},
			Return: function.StringReturn{},
		},
		run: runFormatCustomConfiguration,
	}
}

func runFormatCustomConfiguration(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var m map[string]types.String
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &m))
	if resp.Error != nil {
		return
	}
	cc := make(ipam.CustomConfiguration, len(m))
	for k, v := range m {
		if v.IsNull() {
			resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("value of custom field %q is null", k))
			return
		}
		cc[k] = v.ValueString()
	}
	if err := cc.Validate(); err != nil {
		resp.Error = function.NewArgumentFuncError(0, trimKind(err))
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, cc.String()))
}

// codeList writes names as Markdown code, joined the way a sentence lists them: `a`, `b` and `c`.
func codeList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "`" + n + "`"
	}
	if len(quoted) < 2 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1]
}
