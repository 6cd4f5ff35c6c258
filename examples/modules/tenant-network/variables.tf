variable "datacenter" {
  description = "Short name of the data center, e.g. \"West\"; the provider address space is named DC-<datacenter>."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,62}$", var.datacenter))
    error_message = "datacenter must be 1 to 63 letters, digits or '-', starting with a letter or digit."
  }
}

variable "owner" {
  description = "Owner of the provider address space."
  type        = string
  default     = null
}

variable "custom_configuration" {
  description = "Custom fields of the provider address space (each must be defined in IPAM)."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "tenants" {
  description = <<-EOT
    Tenants of the data center, keyed by tenant name; each gets a customer address space named
    <datacenter>-<tenant>. isolation_method is NVGRE or IPRewrite; vm_network and owner are optional.
  EOT
  type = map(object({
    isolation_method = string
    vm_network       = optional(string)
    owner            = optional(string)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for t in values(var.tenants) : contains(["NVGRE", "IPRewrite"], t.isolation_method)])
    error_message = "Each tenant's isolation_method must be \"NVGRE\" or \"IPRewrite\"."
  }

  validation {
    condition     = alltrue([for name in keys(var.tenants) : can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", name))])
    error_message = "Tenant names must be 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit."
  }
}
