# Import a customer address space by its name (compared ignoring case).
terraform import ipam_customer_address_space.contoso "Tenant-Contoso"
