module github.com/winipam/terraform-provider-ipam

go 1.25.8
