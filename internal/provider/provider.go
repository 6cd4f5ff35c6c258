// Package provider is the Terraform provider "ipam" on terraform-plugin-framework. It talks to IPAM
// only through ipam.Client.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

var _ provider.Provider = (*ipamProvider)(nil)

type ipamProvider struct {
	version string
}

// New returns the provider factory that main serves.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &ipamProvider{version: version} }
}

func (p *ipamProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "ipam"
	resp.Version = p.version
}

func (p *ipamProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Windows Server IPAM address spaces over WS-Management (WinRM).",
	}
}

func (p *ipamProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *ipamProvider) Resources(context.Context) []func() resource.Resource { return nil }

func (p *ipamProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
