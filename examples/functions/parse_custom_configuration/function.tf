# Custom fields exported from IPAM (or kept in a CSV file) as "Name=Value;Name=Value".
locals {
  exported = "Site=Amsterdam; CostCenter=4711"
}

resource "ipam_provider_address_space" "west" {
  name = "DC-West"

  # { CostCenter = "4711", Site = "Amsterdam" }
  custom_configuration = provider::ipam::parse_custom_configuration(local.exported)
}

output "site" {
  value = provider::ipam::parse_custom_configuration(local.exported)["Site"] # "Amsterdam"
}
