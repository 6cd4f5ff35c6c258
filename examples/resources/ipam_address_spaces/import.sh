# Import existing address spaces by their names, separated by commas (compared ignoring case).
terraform import ipam_address_spaces.east "DC-East,Tenant-Northwind,Tenant-Tailspin,Tenant-Woodgrove"
