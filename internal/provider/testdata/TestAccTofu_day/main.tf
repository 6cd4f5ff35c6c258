terraform {
  required_providers {
    ipam = { source = "winipam/ipam" }
  }
}
{{.Provider}}
resource "ipam_provider_address_space" "west" {
  name  = "DC-West"
  owner = "netops"
}

resource "ipam_customer_address_space" "tenant" {
  name                   = "Tenant-A"
  provider_address_space = ipam_provider_address_space.west.name
  isolation_method       = "NVGRE"
  owner                  = "{{.Owner}}"
}

resource "ipam_address_spaces" "bulk" {
  depends_on = [ipam_provider_address_space.west]
  address_spaces = {
{{- range .Bulk}}
    {{.}}
{{- end}}
  }
}
