resource "ipam_provider_address_space" "pa" {
  name        = "Sec-PA"
  owner       = "netops"
  description = "provider {{.Version}}"
}

resource "ipam_customer_address_space" "ca" {
  name                   = "Sec-CA"
  provider_address_space = ipam_provider_address_space.pa.name
  isolation_method       = "NVGRE"
  tenant                 = "t-{{.Version}}"
  description            = "customer {{.Version}}"
}

resource "ipam_address_spaces" "bulk" {
  address_spaces = {
    "Sec-Bulk-PA" = {
      type        = "Provider"
      description = "bulk provider {{.Version}}"
    }
    "Sec-Bulk-CA" = {
      type                   = "Customer"
      provider_address_space = "Sec-Bulk-PA"
      isolation_method       = "IPRewrite"
      description            = "bulk customer {{.Version}}"
    }
  }
}
