package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The resource identity of ipam_provider_address_space and ipam_customer_address_space
// (Terraform 1.12 and later): what an import block's `identity` names and what a list resource
// returns for each address space it finds.
//
// The identity is the server's InstanceID alone, as `id` (the resource's `id` holds the same):
//   - It is the key of MSFT_IPAM_AddressSpace, and IPAM keeps it through every change made in
//     place: a rename, a new owner, a customer space moved to another provider space. An identity
//     must never change over the object's life; the framework fails a refresh that returns another.
//   - The name is not part of it, because a rename is an update in place.
//   - The type is not: it is the resource type, which never changes for an object.
//   - The server is not. One provider configuration talks to one IPAM server, and one server is
//     reached by several URLs (http://host:5985 sealed, https://fqdn:5986 once hardened, an alias):
//     the endpoint would change the identity of every object when a user moves from one to the
//     other. terraform-provider-aws (account_id, region), -google (project) and -azurerm
//     (subscription, resource group) put a scope into their identities because it is part of each
//     object's address in their APIs and never changes; IPAM's API names no such thing for a server.
type addressSpaceIdentity struct {
	ID types.String `tfsdk:"id"`
}

func (r *addressSpaceResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"id": identityschema.StringAttribute{
			RequiredForImport: true,
			Description: "The server's InstanceID of the address space, as in the resource's id. It stays the same " +
				"through renames and every other change made in place.",
		},
	}}
}

// setIdentity records an address space's identity. The framework hands every operation of a
// resource with an identity schema a non-nil identity, whatever Terraform's version; a Terraform
// before 1.12 ignores what is set.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, instanceID string, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	diags.Append(identity.Set(ctx, addressSpaceIdentity{ID: types.StringValue(instanceID)})...)
}

// identityID is the InstanceID an import block's identity names, or "" when there is none.
func identityID(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) string {
	if identity == nil || identity.Raw.IsNull() {
		return ""
	}
	var id addressSpaceIdentity
	diags.Append(identity.Get(ctx, &id)...)
	return id.ID.ValueString()
}
