# Import a provider address space by its name (compared ignoring case).
terraform import ipam_provider_address_space.west "DC-West"
