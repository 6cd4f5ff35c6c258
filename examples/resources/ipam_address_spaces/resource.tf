# One resource for many address spaces: a change to any number of them costs a few bulk calls.
# Only the names listed here are managed; other address spaces in IPAM are never touched.
locals {
  tenants = {
    Northwind = "NVGRE"
    Tailspin  = "NVGRE"
    Woodgrove = "IPRewrite"
  }
}

resource "ipam_address_spaces" "east" {
  address_spaces = merge(
    {
      "DC-East" = {
        type        = "Provider"
        owner       = "netops"
        description = "Provider address space of the east data center"
      }
    },
    {
      for tenant, isolation in local.tenants : "Tenant-${tenant}" => {
        type                   = "Customer"
        provider_address_space = "DC-East"
        isolation_method       = isolation
        tenant                 = tenant
      }
    },
  )
}
