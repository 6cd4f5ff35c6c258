import {
  to       = ipam_customer_address_space.contoso
  identity = { id = "{9B1C4E2A-5D7F-4A3B-8C6E-1F2A3B4C5D6E}" }
}
