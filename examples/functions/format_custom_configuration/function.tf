locals {
  custom_fields = {
    Site       = "Amsterdam"
    CostCenter = "4711"
  }
}

# The string the provider sends to IPAM for this map, e.g. for
# Add-IpamAddressSpace -CustomConfiguration in a script.
output "custom_configuration" {
  value = provider::ipam::format_custom_configuration(local.custom_fields) # "CostCenter=4711;Site=Amsterdam"
}
