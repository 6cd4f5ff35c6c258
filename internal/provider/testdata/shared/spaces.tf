resource "ipam_provider_address_space" "pa" {
  name                 = "DC-West"
  owner                = "netops"
  description          = "west data centre"
  custom_configuration = { Region = "EU" }
}

resource "ipam_provider_address_space" "pa2" {
  name = "DC-East"
}

resource "ipam_customer_address_space" "ca" {
  name                   = "Tenant-A"
  provider_address_space = ipam_provider_address_space.pa.name
  isolation_method       = "NVGRE"
  tenant                 = "4001"
  vm_network             = "vmnet-a"
  owner                  = "tenant-ops"
  description            = "tenant A"
  custom_configuration   = { CostCenter = "100" }
}
