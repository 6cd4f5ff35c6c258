data "ipam_address_space" "pa" {
  name = lower(ipam_provider_address_space.west.name)
}
data "ipam_address_space" "ca" {
  name = upper(ipam_customer_address_space.a.name)
}
data "ipam_address_space" "default" {
  name = "DEFAULT"
}
