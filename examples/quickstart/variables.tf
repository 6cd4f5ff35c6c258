variable "endpoint" {
  description = "WS-Management URL of the IPAM server or emulator, e.g. http://127.0.0.1:5985/wsman."
  type        = string
}

variable "username" {
  description = "Account to log in with."
  type        = string
}

variable "password" {
  description = "Password of the account."
  type        = string
  sensitive   = true
}
