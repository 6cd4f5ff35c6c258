package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// stringCheck is a validator.String made of its description (the same in plain text and in
// Markdown) and a check of a value that is known and not null.
type stringCheck struct {
	description string
	check       func(value string, at path.Path, diags *diag.Diagnostics)
}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if !req.ConfigValue.IsNull() && !req.ConfigValue.IsUnknown() {
		v.check(req.ConfigValue.ValueString(), req.Path, &resp.Diagnostics)
	}
}

// positiveDuration parses a Go duration such as "60s" that is more than zero.
func positiveDuration(s string) (time.Duration, bool) {
	d, err := time.ParseDuration(s)
	return d, err == nil && d > 0
}

// durationValidator checks a Go duration such as "60s".
func durationValidator() validator.String {
	return stringCheck{"a positive duration such as 60s", func(s string, at path.Path, diags *diag.Diagnostics) {
		if _, ok := positiveDuration(s); !ok {
			diags.AddAttributeError(at, "Invalid duration", fmt.Sprintf("%q is not a positive duration such as 60s or 2m.", s))
		}
	}}
}

// kerberosOnlyWithKerberosAuth refuses a kerberos block unless auth is "kerberos".
type kerberosOnlyWithKerberosAuth struct{}

const kerberosOnlyDescription = `the kerberos block goes with auth = "kerberos"`

func (kerberosOnlyWithKerberosAuth) Description(context.Context) string {
	return kerberosOnlyDescription
}
func (kerberosOnlyWithKerberosAuth) MarkdownDescription(context.Context) string {
	return kerberosOnlyDescription
}

func (kerberosOnlyWithKerberosAuth) ValidateProvider(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var auth types.String
	var kerb types.Object
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("auth"), &auth)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("kerberos"), &kerb)...)
	if resp.Diagnostics.HasError() || auth.IsUnknown() || kerb.IsNull() || kerb.IsUnknown() {
		return
	}
	if auth.ValueString() != "kerberos" {
		resp.Diagnostics.AddAttributeError(path.Root("kerberos"), "kerberos block without Kerberos authentication",
			fmt.Sprintf("The kerberos block only applies with auth = \"kerberos\", but auth is %q. Remove the block or set auth = \"kerberos\".",
				auth.ValueString()))
	}
}

// nameValidator applies IPAM's name rule: not blank, at most 1000 characters as Windows counts them.
func nameValidator() validator.String {
	return stringCheck{fmt.Sprintf("not blank, at most %d characters", ipam.MaxNameLength), func(s string, at path.Path, diags *diag.Diagnostics) {
		if err := ipam.ValidateName(s); err != nil {
			diags.AddAttributeError(at, "Invalid address space name", trimKind(err))
		}
	}}
}

// likePatternValidator rejects a name_pattern the server could not parse, such as an unclosed [,
// checked as the client will send it (ipam.CheckNamePattern).
func likePatternValidator() validator.String {
	return stringCheck{"a WQL LIKE pattern: % any run of characters, _ one character, [abc] or [a-f] one of a set, [^abc] one not in it",
		func(pattern string, at path.Path, diags *diag.Diagnostics) {
			if err := ipam.CheckNamePattern(pattern); err != nil {
				diags.AddAttributeError(at, "Invalid name pattern",
					fmt.Sprintf("%q is not a valid WQL LIKE pattern: %s. Use %% for any run of characters, _ for one character "+
						"and [abc] for one of a set; write [%%], [_] or [[] to match those characters literally. A backslash is "+
						"an ordinary character in a pattern, and a pattern cannot hold both ' and \".", pattern, trimKind(err)))
			}
		}}
}

// lengthValidator counts as Windows does (UTF-16 code units).
func lengthValidator(limit int) validator.String {
	return stringCheck{fmt.Sprintf("at most %d characters", limit), func(s string, at path.Path, diags *diag.Diagnostics) {
		if n := ipam.Length(s); n > limit {
			diags.AddAttributeError(at, "Value too long", fmt.Sprintf("The value is %d characters long; IPAM accepts at most %d.", n, limit))
		}
	}}
}

// customConfigurationValidator checks what CustomConfiguration's wire form can carry.
type customConfigurationValidator struct{}

const customConfigurationDescription = "custom field names and values without ';', '=' or surrounding blanks"

func (customConfigurationValidator) Description(context.Context) string {
	return customConfigurationDescription
}
func (customConfigurationValidator) MarkdownDescription(context.Context) string {
	return customConfigurationDescription
}

func (customConfigurationValidator) ValidateMap(ctx context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	cc := ipam.CustomConfiguration{}
	for k, v := range req.ConfigValue.Elements() {
		s, ok := v.(types.String)
		if !ok || s.IsUnknown() {
			return
		}
		if s.IsNull() {
			resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(k), "Invalid custom configuration", "A custom field's value must not be null.")
			continue
		}
		cc[k] = s.ValueString()
	}
	if err := cc.Validate(); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid custom configuration", trimKind(err))
	}
	for _, k := range cc.Names() {
		if _, builtin := ipam.BuiltinCustomField(k); builtin {
			resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(k), "Built-in custom field",
				fmt.Sprintf("%q is an IPAM built-in field; set it with the resource's own attribute, not custom_configuration.", k))
		}
	}
}
