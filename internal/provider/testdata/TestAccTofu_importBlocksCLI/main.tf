{{.Provider}}
import {
  to = ipam_provider_address_space.west
  id = "dc-west"
}

import {
  to = ipam_customer_address_space.tenant
  id = "TENANT-A"
}

import {
  to = ipam_address_spaces.bulk
  id = "Tenant-B,Tenant-C"
}
