import {
  to = ipam_customer_address_space.contoso
  id = "Tenant-Contoso"
}
