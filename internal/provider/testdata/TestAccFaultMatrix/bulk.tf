resource "ipam_address_spaces" "all" {
  address_spaces = {
    "FM-PA"  = { type = "Provider", owner = "netops", custom_configuration = { Region = "EU" } }
    "FM-CA1" = { type = "Customer", provider_address_space = "FM-PA", isolation_method = "NVGRE", tenant = "4001" }
    "FM-CA2" = { type = "Customer", provider_address_space = "fm-pa", isolation_method = "IPRewrite" }
  }
}
