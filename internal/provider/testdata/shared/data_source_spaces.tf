resource "ipam_provider_address_space" "west" {
  name                 = "DC-West"
  owner                = "netops"
  description          = "west data centre"
  custom_configuration = { Region = "EU", CostCenter = "42" }
}
resource "ipam_provider_address_space" "east" {
  name = "DC-East"
}
resource "ipam_customer_address_space" "a" {
  name                   = "Tenant-A"
  provider_address_space = ipam_provider_address_space.west.name
  isolation_method       = "IPRewrite"
  tenant                 = "t1"
  vm_network             = "net-a"
  owner                  = "tenant-ops"
  description            = "tenant A"
  custom_configuration   = { Region = "US" }
}
resource "ipam_customer_address_space" "b" {
  name                   = "Tenant-B"
  provider_address_space = ipam_provider_address_space.west.name
  isolation_method       = "NVGRE"
  tenant                 = "t2"
}
resource "ipam_customer_address_space" "c" {
  name                   = "Tenant-C"
  provider_address_space = ipam_provider_address_space.east.name
  isolation_method       = "NVGRE"
  tenant                 = "t1"
}
