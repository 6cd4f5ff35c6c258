# Test helper: what IPAM itself holds for a data center, read with the data sources (not from the
# module's state), so the tests prove the address spaces exist on the server.
terraform {
  required_providers {
    ipam = {
      source = "winipam/ipam"
    }
  }
}

variable "provider_address_space" {
  type = string
}

data "ipam_address_space" "provider" {
  name = var.provider_address_space
}

data "ipam_address_spaces" "customers" {
  type                   = "Customer"
  provider_address_space = var.provider_address_space
}

output "provider_address_space" {
  value = data.ipam_address_space.provider
}

output "customers" {
  value = { for cas in data.ipam_address_spaces.customers.address_spaces : cas.tenant => cas }
}
