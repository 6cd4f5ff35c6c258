// Command terraform-provider-ipam is the Terraform provider for Windows Server IPAM address spaces.
// Run as "terraform-provider-ipam emulator [flags]" it serves the IPAM emulator instead, and as
// "terraform-provider-ipam soap [flags] FILE" it posts one SOAP envelope with the provider's client.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/provider"
	"github.com/winipam/terraform-provider-ipam/internal/soapcmd"
)

// version is set by goreleaser.
var version = "dev"

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "emulator":
			os.Exit(emulator.Main(os.Args[2:], os.Stdout, os.Stderr))
		case "soap":
			os.Exit(soapcmd.Main(os.Args[2:], os.Stdin, os.Stdout, os.Stderr))
		}
	}
	var debug bool
	flag.BoolVar(&debug, "debug", false, "start the provider with support for debuggers like delve")
	flag.Parse()
	if !debug {
		provider.FollowTerraformLogLevel()
	}
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	factory := provider.NewServer(version)
	err := tf6server.Serve("registry.terraform.io/winipam/ipam", func() tfprotov6.ProviderServer {
		s, _ := factory() // it never fails
		return s
	}, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
