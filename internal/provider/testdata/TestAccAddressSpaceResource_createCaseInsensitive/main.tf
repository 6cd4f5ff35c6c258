resource "ipam_provider_address_space" "pa" {
  name = "DC-West"
}

resource "ipam_customer_address_space" "ca" {
  name                   = "Tenant-A"
  provider_address_space = lower(ipam_provider_address_space.pa.name)
  isolation_method       = "iprewrite"
  custom_configuration   = { region = "EU" }
}
