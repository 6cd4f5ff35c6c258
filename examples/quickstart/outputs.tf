output "provider_address_space_id" {
  description = "InstanceID the server gave the provider address space."
  value       = ipam_provider_address_space.west.id
}

output "customer_address_spaces" {
  description = "Customer address spaces by name, with their provider address space."
  value = {
    for cas in [ipam_customer_address_space.contoso, ipam_customer_address_space.fabrikam] :
    cas.name => cas.provider_address_space
  }
}
