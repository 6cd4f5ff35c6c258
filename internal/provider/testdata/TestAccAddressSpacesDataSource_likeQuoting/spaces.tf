resource "ipam_provider_address_space" "quote" {
  name = "O'Brien-West"
}
resource "ipam_provider_address_space" "backslash" {
  name = "lab\\one"
}
resource "ipam_provider_address_space" "plain" {
  name = "labone"
}
resource "ipam_provider_address_space" "double_quote" {
  name = "the \"west\" lab"
}
