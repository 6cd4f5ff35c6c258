# spaces.tfquery.hcl: run `terraform query` to list, and
# `terraform query -generate-config-out=generated.tf` to write import and resource blocks.

# Every provider address space but the built-in Default.
list "ipam_provider_address_space" "all" {
  provider = ipam
  limit    = 1000 # Terraform's default is 100
}

# The data centre networks of one team.
list "ipam_provider_address_space" "netops_dc" {
  provider = ipam
  config {
    name_pattern = "DC-%"
    owner        = "netops"
  }
}
