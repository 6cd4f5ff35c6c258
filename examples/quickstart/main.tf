# Quick start: one provider address space and two customer address spaces on it.
#
# `make demo` runs this against the IPAM emulator, set up as a Windows Server ships (Basic refused,
# every message sealed). To run it yourself, start the emulator
#   terraform-provider-ipam emulator -windows-defaults -listen 127.0.0.1:5985 -db ./ipam.db -username admin -password secret
# and set TF_VAR_endpoint=http://127.0.0.1:5985/wsman TF_VAR_username=admin TF_VAR_password=secret.

terraform {
  required_providers {
    ipam = {
      source = "winipam/ipam"
    }
  }
}

# Endpoint, user and password are all a Windows Server at its defaults needs: NTLM (the default
# auth) over http://<server>:5985/wsman, every message sealed. See the README for HTTPS.
provider "ipam" {
  endpoint = var.endpoint
  username = var.username
  password = var.password
}

resource "ipam_provider_address_space" "west" {
  name        = "DC-West"
  owner       = "netops"
  description = "Provider address space of the west data center"
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

resource "ipam_customer_address_space" "fabrikam" {
  name                   = "Tenant-Fabrikam"
  provider_address_space = ipam_provider_address_space.west.name
  isolation_method       = "IPRewrite"
  tenant                 = "Fabrikam"
  description            = "Fabrikam's tenant network in the west data center"
}
