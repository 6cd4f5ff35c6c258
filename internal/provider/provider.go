// Package provider is the Terraform provider "ipam": the provider block, the single resources, data
// sources and functions on terraform-plugin-framework, and ipam_address_spaces on
// terraform-plugin-go (server.go serves both). It talks to IPAM only through ipam.Client.
package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/providervalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/ipam/wmi"
)

// ipamProvider holds the client NewServerWithClient injects for tests; NewServer leaves it nil so
// Configure builds the WS-Management client from the configuration.
type ipamProvider struct {
	version string
	client  ipam.Client
	// shared receives the configured client for ipam_address_spaces, which server.go serves
	// outside the framework.
	shared *sharedClient
}

type providerModel struct {
	Endpoint              types.String   `tfsdk:"endpoint"`
	Username              types.String   `tfsdk:"username"`
	Password              types.String   `tfsdk:"password"`
	Auth                  types.String   `tfsdk:"auth"`
	Insecure              types.Bool     `tfsdk:"insecure"`
	CACert                types.String   `tfsdk:"ca_cert"`
	TLSServerName         types.String   `tfsdk:"tls_server_name"`
	ClientCert            types.String   `tfsdk:"client_cert"`
	ClientKey             types.String   `tfsdk:"client_key"`
	AllowUnencrypted      types.Bool     `tfsdk:"allow_unencrypted"`
	Kerberos              *kerberosModel `tfsdk:"kerberos"`
	Timeout               types.String   `tfsdk:"timeout"`
	MaxConcurrentRequests types.Int64    `tfsdk:"max_concurrent_requests"`
	MaxEnvelopeSize       types.Int64    `tfsdk:"max_envelope_size"`
}

type kerberosModel struct {
	Realm    types.String `tfsdk:"realm"`
	Krb5Conf types.String `tfsdk:"krb5_conf"`
	SPN      types.String `tfsdk:"spn"`
}

func (p *ipamProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "ipam"
	resp.Version = p.version
}

func (p *ipamProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Windows Server IPAM address spaces through the WMI class `MSFT_IPAM_AddressSpace` " +
			"over WS-Management (WinRM). Every setting can also come from the environment variable named in its description.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "WS-Management URL of the IPAM server: `http://ipam01.corp.example:5985/wsman` for the " +
					"listener every Windows Server has (with `ntlm` or `kerberos`, every message is sealed), or " +
					"`https://ipam01.corp.example:5986/wsman` for an HTTPS listener (a URL without a path gets `/wsman`). " +
					"Environment: `IPAM_ENDPOINT`.",
			},
			"username": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "`DOMAIN\\user`, `user@domain` or a local account. Environment: `IPAM_USERNAME`.",
			},
			"password": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Password of `username`; never logged. Environment: `IPAM_PASSWORD`.",
			},
			"auth": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Authentication: `ntlm` (default; what a Windows Server accepts as it ships), `kerberos` " +
					"(both seal every message over `http://`), `basic` (local accounts; off on Windows by default, and over " +
					"`http://` only with `allow_unencrypted`) or `certificate` (HTTPS only). Environment: `IPAM_AUTH`.",
				Validators: []validator.String{stringvalidator.OneOf(wmi.AuthSchemes...)},
			},
			"insecure": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Skip verification of the server's TLS certificate. For testing only. Environment: `IPAM_INSECURE`.",
			},
			"ca_cert": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "PEM of the certificate authorities to trust instead of the system's, e.g. " +
					"`file(\"ca.pem\")`. Environment: `IPAM_CA_CERT`.",
			},
			"tls_server_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Name to verify the server's certificate against, when it differs from the endpoint's host. Environment: `IPAM_TLS_SERVER_NAME`.",
			},
			"client_cert": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "PEM client certificate for `auth = \"certificate\"`. Environment: `IPAM_CLIENT_CERT`.",
			},
			"client_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "PEM private key of `client_cert`. Environment: `IPAM_CLIENT_KEY`.",
			},
			"allow_unencrypted": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Permit `basic` credentials over plain `http://` to a host that is not loopback (the server " +
					"must then allow unencrypted traffic, which Windows does not by default). Off by default: such a " +
					"configuration is refused with an error. `ntlm` and `kerberos` seal every message over `http://` and need " +
					"no such permission. Environment: `IPAM_ALLOW_UNENCRYPTED`.",
			},
			"timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Timeout of each request, a Go duration such as `60s` (the default); also sent to the " +
					"server as `wsman:OperationTimeout`. Environment: `IPAM_TIMEOUT`.",
				Validators: []validator.String{durationValidator()},
			},
			"max_concurrent_requests": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Cap on requests in flight from this provider instance (WinRM has per-user "+
					"quotas). Default %d. Environment: `IPAM_MAX_CONCURRENT_REQUESTS`.", wmi.DefaultMaxConcurrent),
				Validators: []validator.Int64{int64validator.Between(1, 1000)},
			},
			"max_envelope_size": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Largest SOAP envelope sent or accepted, in bytes. Default %d (Windows' "+
					"default `MaxEnvelopeSizekb` is 500); bulk calls are split to fit. Environment: `IPAM_MAX_ENVELOPE_SIZE`.",
					wmi.DefaultMaxEnvelopeSize),
				Validators: []validator.Int64{int64validator.Between(wmi.MinMaxEnvelopeSize, 1<<30)},
			},
		},
		Blocks: map[string]schema.Block{
			"kerberos": schema.SingleNestedBlock{
				MarkdownDescription: "Kerberos settings, for `auth = \"kerberos\"` only. The endpoint must use the server's fully qualified name, unless `spn` is set.",
				Attributes: map[string]schema.Attribute{
					"realm": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Kerberos realm, e.g. `CORP.EXAMPLE`. Default: the realm in `username` (`user@REALM`), " +
							"else `default_realm` in `krb5.conf`; never the NetBIOS name of `DOMAIN\\user`. Environment: `IPAM_KERBEROS_REALM`.",
					},
					"krb5_conf": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Path of the krb5.conf to use. Default: `KRB5_CONFIG`, then `/etc/krb5.conf`.",
					},
					"spn": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Service principal of the server. Default `HTTP/<endpoint host>`; `WSMAN/<host>` also works on Windows. Set it when the endpoint is an IP address or an alias.",
					},
				},
			},
		},
	}
}

func (p *ipamProvider) ConfigValidators(context.Context) []provider.ConfigValidator {
	return []provider.ConfigValidator{
		providervalidator.RequiredTogether(path.MatchRoot("client_cert"), path.MatchRoot("client_key")),
		kerberosOnlyWithKerberosAuth{},
	}
}

// setting reads an attribute, falling back to its environment variable.
func setting(v types.String, env string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func boolSetting(v types.Bool, env string) (bool, error) {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueBool(), nil
	}
	s := os.Getenv(env)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("%s=%q is not true or false", env, s)
	}
	return b, nil
}

func intSetting(v types.Int64, env string) (int, error) {
	if !v.IsNull() && !v.IsUnknown() {
		return int(v.ValueInt64()), nil
	}
	s := os.Getenv(env)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q is not a positive number", env, s)
	}
	return n, nil
}

func (p *ipamProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	if p.client != nil {
		resp.ResourceData, resp.DataSourceData, resp.ListResourceData = p.client, p.client, p.client
		p.shared.set(p.client)
		return
	}
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for name, v := range map[string]interface{ IsUnknown() bool }{
		"endpoint": cfg.Endpoint, "username": cfg.Username, "password": cfg.Password, "auth": cfg.Auth,
	} {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Provider setting not known yet",
				fmt.Sprintf("The provider needs %s to connect, but its value depends on something not yet applied. "+
					"Apply that first (terraform apply -target=...), or set it from a variable or the environment.", name))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	wc := wmi.Config{
		Endpoint:      setting(cfg.Endpoint, "IPAM_ENDPOINT"),
		Username:      setting(cfg.Username, "IPAM_USERNAME"),
		Password:      setting(cfg.Password, "IPAM_PASSWORD"),
		Auth:          setting(cfg.Auth, "IPAM_AUTH"),
		CACert:        []byte(setting(cfg.CACert, "IPAM_CA_CERT")),
		TLSServerName: setting(cfg.TLSServerName, "IPAM_TLS_SERVER_NAME"),
		ClientCert:    []byte(setting(cfg.ClientCert, "IPAM_CLIENT_CERT")),
		ClientKey:     []byte(setting(cfg.ClientKey, "IPAM_CLIENT_KEY")),
		Logger:        tfLogger{},
	}
	var err error
	addErr := func(attr, env string, err error) {
		resp.Diagnostics.AddAttributeError(path.Root(attr), "Invalid provider setting", fmt.Sprintf("%s (environment %s): %v", attr, env, err))
	}
	if wc.Insecure, err = boolSetting(cfg.Insecure, "IPAM_INSECURE"); err != nil {
		addErr("insecure", "IPAM_INSECURE", err)
	}
	if wc.AllowUnencrypted, err = boolSetting(cfg.AllowUnencrypted, "IPAM_ALLOW_UNENCRYPTED"); err != nil {
		addErr("allow_unencrypted", "IPAM_ALLOW_UNENCRYPTED", err)
	}
	if wc.MaxConcurrent, err = intSetting(cfg.MaxConcurrentRequests, "IPAM_MAX_CONCURRENT_REQUESTS"); err != nil {
		addErr("max_concurrent_requests", "IPAM_MAX_CONCURRENT_REQUESTS", err)
	}
	if wc.MaxEnvelopeSize, err = intSetting(cfg.MaxEnvelopeSize, "IPAM_MAX_ENVELOPE_SIZE"); err != nil {
		addErr("max_envelope_size", "IPAM_MAX_ENVELOPE_SIZE", err)
	}
	if t := setting(cfg.Timeout, "IPAM_TIMEOUT"); t != "" {
		if wc.Timeout, err = time.ParseDuration(t); err != nil || wc.Timeout <= 0 {
			addErr("timeout", "IPAM_TIMEOUT", fmt.Errorf("%q is not a positive duration such as 60s", t))
		}
	}
	if cfg.Kerberos != nil {
		wc.Kerberos = wmi.KerberosConfig{Realm: cfg.Kerberos.Realm.ValueString(), Krb5Conf: cfg.Kerberos.Krb5Conf.ValueString(), SPN: cfg.Kerberos.SPN.ValueString()}
	}
	if wc.Kerberos.Realm == "" {
		wc.Kerberos.Realm = os.Getenv("IPAM_KERBEROS_REALM")
	}
	if wc.Endpoint == "" {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Missing IPAM endpoint",
			"Set endpoint in the provider block or IPAM_ENDPOINT, e.g. https://ipam01.corp.example:5986/wsman. "+
				"To try the provider without a Windows server, start the emulator: terraform-provider-ipam emulator -username admin -password secret.")
	}
	if resp.Diagnostics.HasError() {
		return
	}
	wmiClient, err := wmi.NewClient(wc)
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure the IPAM provider", withAdvice(err).Error())
		return
	}
	tflog.Debug(ctx, "IPAM provider configured", map[string]any{"endpoint": wmiClient.Endpoint(), "auth": strings.ToLower(wc.Auth)})
	client := loggedClient{next: wmiClient}
	resp.ResourceData, resp.DataSourceData, resp.ListResourceData = ipam.Client(client), ipam.Client(client), ipam.Client(client)
	p.shared.set(client)
}

// What the provider serves through the framework, and which of the framework's interfaces each
// type implements (each embeds the plain one: Provider, Resource, ...); the compiler checks them.
var (
	_ provider.ProviderWithConfigValidators = (*ipamProvider)(nil)
	_ provider.ProviderWithFunctions        = (*ipamProvider)(nil)
	_ provider.ProviderWithListResources    = (*ipamProvider)(nil)
	_ resource.ResourceWithConfigure        = (*addressSpaceResource)(nil)
	_ resource.ResourceWithImportState      = (*addressSpaceResource)(nil)
	_ resource.ResourceWithIdentity         = (*addressSpaceResource)(nil)
	_ list.ListResourceWithConfigure        = (*addressSpaceListResource)(nil)
	_ datasource.DataSourceWithConfigure    = (*addressSpaceDataSource)(nil)
	_ datasource.DataSourceWithConfigure    = (*addressSpacesDataSource)(nil)
	_ function.Function                     = (*providerFunction)(nil)
)

func (p *ipamProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewProviderAddressSpaceResource, NewCustomerAddressSpaceResource}
}

// ListResources serves terraform query (Terraform 1.14 and later).
func (p *ipamProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{NewProviderAddressSpaceListResource, NewCustomerAddressSpaceListResource}
}

func (p *ipamProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewAddressSpaceDataSource, NewAddressSpacesDataSource}
}

func (p *ipamProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{NewParseCustomConfigurationFunction, NewFormatCustomConfigurationFunction}
}
