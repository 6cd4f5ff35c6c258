import {
  to = ipam_address_spaces.east
  id = "DC-East,Tenant-Northwind,Tenant-Tailspin,Tenant-Woodgrove"
}
