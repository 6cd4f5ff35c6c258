# terraform test for the tenant-network module, run against a live IPAM endpoint: the IPAM emulator
# in CI (../test.sh starts it), or a real server. The endpoint and credentials come from the
# environment (IPAM_ENDPOINT, IPAM_USERNAME, IPAM_PASSWORD); the custom fields Site and
# CostCenter must exist in IPAM (emulator: -custom-field Site -custom-field CostCenter).

provider "ipam" {
  timeout                 = var.ipam_timeout
  max_concurrent_requests = var.ipam_max_concurrent_requests
}

variables {
  ipam_timeout                 = "30s"
  ipam_max_concurrent_requests = 4

  datacenter = "ModTest"
  owner      = "netops"
  custom_configuration = {
    Site       = "Amsterdam"
    CostCenter = "4711"
  }
  tenants = {
    Contoso = {
      isolation_method = "NVGRE"
      vm_network       = "contoso-net"
      owner            = "contoso-admins"
    }
    Fabrikam = {
      isolation_method = "IPRewrite"
    }
  }
}

# What the module will create is known at plan time: names, placement, isolation.
run "plan" {
  command = plan

  assert {
    condition     = ipam_provider_address_space.this.name == "DC-ModTest"
    error_message = "The provider address space must be named DC-<datacenter>."
  }

  assert {
    condition     = output.customer_address_space_names == { Contoso = "ModTest-Contoso", Fabrikam = "ModTest-Fabrikam" }
    error_message = "Customer address spaces must be named <datacenter>-<tenant>, one per tenant."
  }

  assert {
    condition     = alltrue([for cas in ipam_customer_address_space.tenant : cas.provider_address_space == "DC-ModTest"])
    error_message = "Every customer address space must live on the data center's provider address space."
  }

  assert {
    condition     = ipam_customer_address_space.tenant["Contoso"].isolation_method == "NVGRE" && ipam_customer_address_space.tenant["Fabrikam"].isolation_method == "IPRewrite"
    error_message = "Each tenant's isolation method must be passed through."
  }

  assert {
    condition     = ipam_customer_address_space.tenant["Contoso"].tenant == "Contoso"
    error_message = "The tenant attribute must be the tenant's key."
  }

  assert {
    condition     = output.custom_configuration == "CostCenter=4711;Site=Amsterdam"
    error_message = "custom_configuration output must be the canonical wire form, got ${output.custom_configuration}."
  }
}

# Bad input is refused by the module's own validation, before anything reaches IPAM (plan only:
# nothing is created, so these come first and fail fast).
run "invalid_isolation_method" {
  command = plan

  variables {
    tenants = {
      Contoso = {
        isolation_method = "VLAN"
      }
    }
  }

  expect_failures = [var.tenants]
}

run "invalid_tenant_name" {
  command = plan

  variables {
    tenants = {
      "Contoso; Fabrikam" = {
        isolation_method = "NVGRE"
      }
    }
  }

  expect_failures = [var.tenants]
}

run "invalid_datacenter" {
  command = plan

  variables {
    datacenter = "West Europe"
  }

  expect_failures = [var.datacenter]
}

# Created on the server: ids assigned, attributes as configured.
run "apply" {
  command = apply

  assert {
    condition     = output.provider_address_space_id != "" && output.provider_address_space_name == "DC-ModTest"
    error_message = "The provider address space must have an id from IPAM."
  }

  assert {
    condition     = length(output.customer_address_space_ids) == 2 && alltrue([for id in values(output.customer_address_space_ids) : id != ""])
    error_message = "Every tenant must have a customer address space with an id from IPAM."
  }

  assert {
    condition     = length(distinct(concat([output.provider_address_space_id], values(output.customer_address_space_ids)))) == 3
    error_message = "Address space ids must be distinct."
  }

  assert {
    condition     = ipam_customer_address_space.tenant["Contoso"].vm_network == "contoso-net" && ipam_customer_address_space.tenant["Contoso"].owner == "contoso-admins"
    error_message = "Contoso's vm_network and owner must be set."
  }

  assert {
    condition     = ipam_provider_address_space.this.custom_configuration == tomap({ Site = "Amsterdam", CostCenter = "4711" })
    error_message = "The provider address space's custom fields must be set."
  }

  assert {
    condition     = ipam_provider_address_space.this.ipv4_utilization_percent == 0
    error_message = "A new address space holds no addresses yet."
  }
}

# Read back through the data sources: IPAM itself holds what the module's state says.
run "server_holds_the_address_spaces" {
  command = apply

  module {
    source = "./tests/server-view"
  }

  variables {
    provider_address_space = run.apply.provider_address_space_name
  }

  assert {
    condition     = data.ipam_address_space.provider.id == run.apply.provider_address_space_id && data.ipam_address_space.provider.type == "Provider"
    error_message = "IPAM must hold the provider address space under the id in state."
  }

  assert {
    condition     = provider::ipam::format_custom_configuration(data.ipam_address_space.provider.custom_configuration) == "CostCenter=4711;Site=Amsterdam"
    error_message = "IPAM must hold the provider address space's custom fields."
  }

  assert {
    condition     = { for tenant, cas in output.customers : tenant => cas.id } == run.apply.customer_address_space_ids
    error_message = "IPAM must hold exactly the module's customer address spaces on DC-ModTest, under the ids in state."
  }

  assert {
    condition     = output.customers["Fabrikam"].isolation_method == "IPRewrite" && output.customers["Contoso"].vm_network == "contoso-net"
    error_message = "IPAM must hold each customer address space's settings."
  }
}

# A new tenant and a new owner change the data center in place: nothing is replaced.
run "add_tenant" {
  command = apply

  variables {
    owner = "netops-west"
    tenants = merge(var.tenants, {
      Northwind = {
        isolation_method = "NVGRE"
        vm_network       = "northwind-net"
      }
    })
  }

  assert {
    condition     = output.provider_address_space_id == run.apply.provider_address_space_id
    error_message = "Changing the owner must update the provider address space in place."
  }

  assert {
    condition     = ipam_provider_address_space.this.owner == "netops-west"
    error_message = "The provider address space's owner must be updated."
  }

  assert {
    condition     = output.customer_address_space_ids["Contoso"] == run.apply.customer_address_space_ids["Contoso"] && output.customer_address_space_ids["Fabrikam"] == run.apply.customer_address_space_ids["Fabrikam"]
    error_message = "Adding a tenant must not replace the others."
  }

  assert {
    condition     = output.customer_address_space_names["Northwind"] == "ModTest-Northwind" && output.customer_address_space_ids["Northwind"] != ""
    error_message = "The new tenant must get its customer address space."
  }
}
