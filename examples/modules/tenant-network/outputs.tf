output "provider_address_space_id" {
  description = "InstanceID of the provider address space."
  value       = ipam_provider_address_space.this.id
}

output "provider_address_space_name" {
  description = "Name of the provider address space."
  value       = ipam_provider_address_space.this.name
}

output "customer_address_space_ids" {
  description = "InstanceID of each tenant's customer address space, keyed by tenant."
  value       = { for tenant, cas in ipam_customer_address_space.tenant : tenant => cas.id }
}

output "customer_address_space_names" {
  description = "Name of each tenant's customer address space, keyed by tenant."
  value       = { for tenant, cas in ipam_customer_address_space.tenant : tenant => cas.name }
}

output "custom_configuration" {
  description = "The provider address space's custom fields in IPAM's wire form (Name=Value;Name=Value), as the provider sends them."
  value       = provider::ipam::format_custom_configuration(var.custom_configuration)
}
