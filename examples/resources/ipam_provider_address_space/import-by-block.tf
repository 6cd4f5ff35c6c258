import {
  to = ipam_provider_address_space.west
  id = "DC-West"
}
