resource "ipam_provider_address_space" "west" {
  name = "DC-West"
}

resource "ipam_customer_address_space" "contoso" {
  name                   = "Tenant-Contoso"
  provider_address_space = ipam_provider_address_space.west.name
  isolation_method       = "NVGRE"
  tenant                 = "Contoso"
  vm_network             = "contoso-net"
  owner                  = "contoso-admins"
  description            = "Contoso's tenant network in the west data center"
}
