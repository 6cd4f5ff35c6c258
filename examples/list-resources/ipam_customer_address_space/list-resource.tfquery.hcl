# spaces.tfquery.hcl: run `terraform query` to list, and
# `terraform query -generate-config-out=generated.tf` to write import and resource blocks.

# Every customer address space.
list "ipam_customer_address_space" "all" {
  provider = ipam
  limit    = 1000 # Terraform's default is 100
}

# One tenant's networks on one provider address space, with their attributes.
list "ipam_customer_address_space" "contoso_west" {
  provider         = ipam
  include_resource = true
  config {
    provider_address_space = "DC-West"
    tenant                 = "contoso"
  }
}
