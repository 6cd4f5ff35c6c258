# Every customer address space on DC-West.
data "ipam_address_spaces" "on_west" {
  type                   = "Customer"
  provider_address_space = "DC-West"
}

# Every address space whose name starts with "Tenant-".
data "ipam_address_spaces" "tenants" {
  name_pattern = "Tenant-%"
}

output "customer_spaces_on_west" {
  value = data.ipam_address_spaces.on_west.names
}

output "tenant_isolation" {
  value = { for a in data.ipam_address_spaces.tenants.address_spaces : a.name => a.isolation_method }
}
