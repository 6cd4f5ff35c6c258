data "ipam_address_spaces" "all" {}

data "ipam_address_spaces" "providers" {
  type = "Provider"
}
data "ipam_address_spaces" "customers" {
  type = "customer"
}
data "ipam_address_spaces" "on_west" {
  provider_address_space = "dc-west"
}
data "ipam_address_spaces" "tenant_t1" {
  tenant = "T1"
}
data "ipam_address_spaces" "like_any_run" {
  name_pattern = "DC-%"
}
data "ipam_address_spaces" "like_one_char" {
  name_pattern = "tenant-_"
}
data "ipam_address_spaces" "like_set" {
  name_pattern = "Tenant-[AC]"
}
data "ipam_address_spaces" "like_none" {
  name_pattern = "zzz%"
}

data "ipam_address_spaces" "west_t1" {
  provider_address_space = "DC-West"
  tenant                 = "t1"
}
data "ipam_address_spaces" "customer_like" {
  type         = "Customer"
  name_pattern = "%-[BC]"
}
data "ipam_address_spaces" "provider_on_west" {
  type                   = "Provider"
  provider_address_space = "DC-West"
}
data "ipam_address_spaces" "every_filter" {
  type                   = "Customer"
  provider_address_space = "DC-East"
  tenant                 = "t1"
  name_pattern           = "Tenant-%"
}
