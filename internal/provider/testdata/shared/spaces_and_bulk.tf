resource "ipam_provider_address_space" "pa" {
  name        = "{{.Prefix}}-PA"
  owner       = "netops"
  description = "provider {{.Version}}"
}

resource "ipam_customer_address_space" "ca" {
  name                   = "{{.Prefix}}-CA"
  provider_address_space = ipam_provider_address_space.pa.name
  isolation_method       = "NVGRE"
  tenant                 = "t-{{.Version}}"
  description            = "customer {{.Version}}"
}

resource "ipam_address_spaces" "bulk" {
  address_spaces = {
    "{{.Prefix}}-Bulk-PA" = {
      type        = "Provider"
      description = "bulk provider {{.Version}}"
    }
    "{{.Prefix}}-Bulk-CA" = {
      type                   = "Customer"
      provider_address_space = "{{.Prefix}}-Bulk-PA"
      isolation_method       = "IPRewrite"
      description            = "bulk customer {{.Version}}"
      custom_configuration   = { Region = "west" }
    }
  }
}
