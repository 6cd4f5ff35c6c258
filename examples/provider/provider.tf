terraform {
  required_providers {
    ipam = {
      source = "winipam/ipam"
    }
  }
}

# A domain-joined IPAM server, reached over WinRM on HTTPS (5986) with NTLM.
# The password is best left out of the configuration: set IPAM_PASSWORD instead.
provider "ipam" {
  endpoint = "https://ipam01.corp.example:5986/wsman"
  username = "CORP\\svc-terraform"
  auth     = "ntlm"
  ca_cert  = file("${path.module}/corp-root-ca.pem")
}
