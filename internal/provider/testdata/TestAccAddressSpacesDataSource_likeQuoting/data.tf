data "ipam_address_spaces" "quote" {
  name_pattern = "O'Brien%"
}
data "ipam_address_spaces" "backslash" {
  name_pattern = "lab\\%"
}
data "ipam_address_spaces" "double_quote" {
  name_pattern = "%\"west\"%"
}
