terraform {
  # Provider functions (provider::ipam::...) need Terraform 1.8.
  required_version = ">= 1.8.0"

  required_providers {
    ipam = {
      source = "winipam/ipam"
    }
  }
}
