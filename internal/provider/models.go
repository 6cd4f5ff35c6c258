package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// commonModel holds what provider and customer address spaces share.
type commonModel struct {
	ID                     types.String  `tfsdk:"id"`
	Name                   types.String  `tfsdk:"name"`
	Owner                  types.String  `tfsdk:"owner"`
	Description            types.String  `tfsdk:"description"`
	CustomConfiguration    types.Map     `tfsdk:"custom_configuration"`
	IPv4UtilizationPercent types.Float64 `tfsdk:"ipv4_utilization_percent"`
	IPv6UtilizationPercent types.Float64 `tfsdk:"ipv6_utilization_percent"`
	IPv4UtilizationStatus  types.String  `tfsdk:"ipv4_utilization_status"`
	IPv6UtilizationStatus  types.String  `tfsdk:"ipv6_utilization_status"`
	AccessScopePath        types.String  `tfsdk:"access_scope_path"`
}

// providerSpaceModel is ipam_provider_address_space.
type providerSpaceModel struct {
	commonModel
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// customerSpaceModel is ipam_customer_address_space.
type customerSpaceModel struct {
	commonModel
	customerPart
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

// customerPart is what a customer address space has beyond commonModel, in the resource and in the
// data sources alike.
type customerPart struct {
	ProviderAddressSpace types.String `tfsdk:"provider_address_space"`
	IsolationMethod      types.String `tfsdk:"isolation_method"`
	Tenant               types.String `tfsdk:"tenant"`
	VMNetwork            types.String `tfsdk:"vm_network"`
}

// fromDomain sets the part from what the server holds, keeping prior's spelling of the names IPAM
// takes as the same (prior is null in the data sources).
func (c *customerPart) fromDomain(a *ipam.AddressSpace, prior customerPart) {
	c.ProviderAddressSpace = keepFold(a.AssociatedProviderAddressSpace, prior.ProviderAddressSpace)
	c.IsolationMethod = keepFold(a.IsolationMethod, prior.IsolationMethod)
	c.Tenant = types.StringValue(a.Tenant)
	c.VMNetwork = types.StringValue(a.VMNetwork)
}

// customConfigurationOf reads a map attribute; false when an element is not a known string.
func customConfigurationOf(m types.Map) (ipam.CustomConfiguration, bool) {
	cc := ipam.CustomConfiguration{}
	if m.IsNull() {
		return cc, true
	}
	if m.IsUnknown() {
		return nil, false
	}
	for k, v := range m.Elements() {
		s, ok := v.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			return nil, false
		}
		cc[k] = s.ValueString()
	}
	return cc, true
}

func customConfigurationValue(cc ipam.CustomConfiguration) types.Map {
	elems := make(map[string]attr.Value, len(cc))
	for k, v := range cc {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

// keepFold returns prior when it names the same thing as the server's value ignoring case, so a
// spelling in the configuration that IPAM treats as equal never shows as a change.
func keepFold(server string, prior types.String) types.String {
	if !prior.IsNull() && !prior.IsUnknown() && ipam.SameName(server, prior.ValueString()) {
		return prior
	}
	return types.StringValue(server)
}

func (m *commonModel) toDomain() ipam.AddressSpace {
	cc, _ := customConfigurationOf(m.CustomConfiguration)
	return ipam.AddressSpace{
		InstanceID:          m.ID.ValueString(),
		Name:                m.Name.ValueString(),
		Owner:               m.Owner.ValueString(),
		Description:         m.Description.ValueString(),
		CustomConfiguration: cc,
	}
}

// fromDomain sets the model from what the server holds; prior is the state or plan it replaces.
func (m *commonModel) fromDomain(a *ipam.AddressSpace, prior *commonModel) {
	m.ID = types.StringValue(a.InstanceID)
	m.Name = keepFold(a.Name, prior.Name)
	m.Owner = types.StringValue(a.Owner)
	m.Description = types.StringValue(a.Description)
	m.CustomConfiguration = customConfigurationValue(a.CustomConfiguration)
	if pc, ok := customConfigurationOf(prior.CustomConfiguration); ok && !prior.CustomConfiguration.IsNull() && pc.Equal(a.CustomConfiguration) {
		m.CustomConfiguration = prior.CustomConfiguration
	}
	m.IPv4UtilizationPercent = types.Float64Value(a.IPv4PercentageUtilized)
	m.IPv6UtilizationPercent = types.Float64Value(a.IPv6PercentageUtilized)
	m.IPv4UtilizationStatus = types.StringValue(a.IPv4Utilization.String())
	m.IPv6UtilizationStatus = types.StringValue(a.IPv6Utilization.String())
	m.AccessScopePath = types.StringValue(a.AccessScopePath)
}

// spaceModel is what the shared resource code needs of either model.
type spaceModel interface {
	common() *commonModel
	timeouts() timeouts.Value
	toDomain() ipam.AddressSpace
	fromDomain(a *ipam.AddressSpace, prior spaceModel)
}

func (m *providerSpaceModel) common() *commonModel { return &m.commonModel }

func (m *providerSpaceModel) toDomain() ipam.AddressSpace {
	a := m.commonModel.toDomain()
	a.Type = ipam.TypeProvider
	return a
}

func (m *providerSpaceModel) fromDomain(a *ipam.AddressSpace, prior spaceModel) {
	m.commonModel.fromDomain(a, prior.common())
	m.Timeouts = prior.timeouts()
}

func (m *providerSpaceModel) timeouts() timeouts.Value { return m.Timeouts }

func (m *customerSpaceModel) timeouts() timeouts.Value { return m.Timeouts }

func (m *customerSpaceModel) common() *commonModel { return &m.commonModel }

func (m *customerSpaceModel) toDomain() ipam.AddressSpace {
	a := m.commonModel.toDomain()
	a.Type = ipam.TypeCustomer
	a.AssociatedProviderAddressSpace = m.ProviderAddressSpace.ValueString()
	a.IsolationMethod = m.IsolationMethod.ValueString()
	if canon, err := ipam.CanonicalIsolationMethod(a.IsolationMethod); err == nil {
		a.IsolationMethod = canon
	}
	a.Tenant = m.Tenant.ValueString()
	a.VMNetwork = m.VMNetwork.ValueString()
	return a
}

func (m *customerSpaceModel) fromDomain(a *ipam.AddressSpace, prior spaceModel) {
	m.commonModel.fromDomain(a, prior.common())
	m.Timeouts = prior.timeouts()
	var p customerPart
	if c, ok := prior.(*customerSpaceModel); ok && c != nil {
		p = c.customerPart
	}
	m.customerPart.fromDomain(a, p)
}

// newModel is an empty model of the resource's type.
func (r *addressSpaceResource) newModel() spaceModel {
	if r.typ == ipam.TypeCustomer {
		return &customerSpaceModel{}
	}
	return &providerSpaceModel{}
}

// getter is what plan, state and config have in common for read.
type getter interface {
	Get(ctx context.Context, target any) diag.Diagnostics
}

func (r *addressSpaceResource) read(ctx context.Context, from getter, diags *diag.Diagnostics) spaceModel {
	m := r.newModel()
	diags.Append(from.Get(ctx, m)...)
	return m
}
