import {
  to       = ipam_provider_address_space.west
  identity = { id = "{3F0E27D8-825D-4796-AF7E-DFC67DEC9688}" }
}
