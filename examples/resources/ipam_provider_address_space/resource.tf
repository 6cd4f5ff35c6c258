resource "ipam_provider_address_space" "west" {
  name        = "DC-West"
  owner       = "netops"
  description = "Provider address space of the west data center"

  # Custom fields must already be defined in IPAM.
  custom_configuration = {
    Site = "Amsterdam"
  }
}
