resource "ipam_provider_address_space" "pa" {
  name                 = "FM-PA"
  owner                = "netops"
  description          = "fault matrix"
  custom_configuration = { Region = "EU" }
}
resource "ipam_customer_address_space" "ca" {
  name                   = "FM-CA"
  provider_address_space = ipam_provider_address_space.pa.name
  isolation_method       = "NVGRE"
  tenant                 = "4001"
}
