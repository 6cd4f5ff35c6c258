resource "ipam_provider_address_space" "dc" {
  name        = "WD-DC"
  description = "datacenter"
}

resource "ipam_customer_address_space" "tenant" {
  name                   = "WD-Tenant"
  provider_address_space = ipam_provider_address_space.dc.name
  isolation_method       = "NVGRE"
  tenant                 = "contoso"
}

resource "ipam_address_spaces" "bulk" {
  address_spaces = {
    "WD-Bulk-PA" = { type = "Provider", owner = "netops" }
    "WD-Bulk-CA" = { type = "Customer", provider_address_space = "WD-Bulk-PA", isolation_method = "IPRewrite",
                     custom_configuration = { Region = "west" } }
  }
}

