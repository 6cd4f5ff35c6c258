# One address space, provider or customer, by name.
data "ipam_address_space" "west" {
  name = "DC-West"
}

output "west_ipv4_utilization" {
  value = data.ipam_address_space.west.ipv4_utilization_percent
}
