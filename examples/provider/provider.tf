terraform {
  required_providers {
    ipam = {
      source = "winipam/ipam"
    }
  }
}

# A domain-joined IPAM server as Windows ships it: WinRM on HTTP (5985), NTLM. The provider seals
# every message, so nothing more is needed. Keep the password out of the configuration: set
# IPAM_PASSWORD instead.
provider "ipam" {
  endpoint = "http://ipam01.corp.example:5985/wsman"
  username = "CORP\\svc-terraform"
}
