# One provider address space for a data center, and one customer address space (a Hyper-V Network
# Virtualization tenant network) on it per tenant.
#
# The module has no provider block: the caller configures the ipam provider (see README.md).

locals {
  provider_address_space_name = "DC-${var.datacenter}"

  # Customer address space names are unique across all address spaces, so they carry the data center.
  customer_address_space_names = {
    for tenant in keys(var.tenants) : tenant => "${var.datacenter}-${tenant}"
  }
}

resource "ipam_provider_address_space" "this" {
  name                 = local.provider_address_space_name
  owner                = var.owner
  description          = "Provider address space of data center ${var.datacenter}"
  custom_configuration = var.custom_configuration
}

resource "ipam_customer_address_space" "tenant" {
  for_each = var.tenants

  name                   = local.customer_address_space_names[each.key]
  provider_address_space = ipam_provider_address_space.this.name
  isolation_method       = each.value.isolation_method
  tenant                 = each.key
  vm_network             = each.value.vm_network
  owner                  = each.value.owner
  description            = "Tenant network of ${each.key} in data center ${var.datacenter}"
}
