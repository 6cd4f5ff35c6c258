package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// caseKind is one of the shapes the bench compares.
type caseKind int

const (
	kindBulkFloor    caseKind = iota // one terraform_data whose input is a map of N objects
	kindBulk                         // one ipam_address_spaces with N keys, plain SOAP (auth = "basic")
	kindBulkSealed                   // the same resource with NTLM, every message sealed ([MS-WSMV] 2.2.9.1)
	kindForEachFloor                 // N terraform_data via for_each, plus one for the provider space
	kindForEach                      // N ipam_customer_address_space via for_each, plus their ipam_provider_address_space
)

var allKinds = []caseKind{kindBulkFloor, kindBulk, kindBulkSealed, kindForEachFloor, kindForEach}

func (k caseKind) id() string {
	return [...]string{"bulk-floor", "bulk", "bulk-sealed", "foreach-floor", "foreach"}[k]
}

// title names the case in tables. The plain and sealed bulk shapes say how their messages travel,
// since they differ in nothing else.
func (k caseKind) title() string {
	return [...]string{
		"terraform_data, map of N (floor)",
		"ipam_address_spaces, N keys, plain (Basic)",
		"ipam_address_spaces, N keys, sealed (NTLM)",
		"terraform_data ×N (floor)",
		"ipam_customer_address_space ×N",
	}[k]
}

// kindIDs lists the shapes' ids, for help and error messages.
func kindIDs() string {
	ids := make([]string, len(allKinds))
	for i, k := range allKinds {
		ids[i] = k.id()
	}
	return strings.Join(ids, ", ")
}

func (k caseKind) usesProvider() bool { return k != kindBulkFloor && k != kindForEachFloor }
func (k caseKind) forEach() bool      { return k == kindForEach || k == kindForEachFloor }

// sealed reports whether the provider logs in with NTLM and seals every message: the provider
// block leaves auth at its default, and over http:// the client then seals. The other provider
// shapes send plain SOAP with Basic, which the emulator accepts over loopback.
func (k caseKind) sealed() bool { return k == kindBulkSealed }

// emulatorConn is what a generated configuration needs to reach the emulator.
type emulatorConn struct {
	endpoint, username, password string
}

// space is one generated address space. The same objects feed every shape, so the floor cases
// carry exactly the data the provider cases do.
type space struct {
	name string
	// attrs in a fixed order: HCL attribute name and value (already an HCL expression).
	attrs [][2]string
}

// customerCount is how many customer spaces a case of size n has: the bulk map holds the provider
// space and n-1 customers (n keys); the for_each shapes have n customers and one provider space.
func customerCount(k caseKind, n int) int {
	if k.forEach() {
		return n
	}
	return n - 1
}

// changed reports whether customer i gets the changed description in the 1% step: every 100th
// customer, starting with the first, so ceil(n/100) keys change.
func changed(i int) bool { return i%100 == 1 }

// changedCount is how many keys the change step touches.
func changedCount(k caseKind, n int) int {
	c := 0
	for i := 1; i <= customerCount(k, n); i++ {
		if changed(i) {
			c++
		}
	}
	return c
}

func q(s string) string { return strconv.Quote(s) }

func providerSpace(prefix string) space {
	return space{name: prefix + "-pa", attrs: [][2]string{
		{"type", q("Provider")},
		{"owner", q("netops")},
		{"description", q("Provider address space of the " + prefix + " bench")},
		{"custom_configuration", `{ Region = "EU" }`},
	}}
}

func customerSpace(prefix string, i int, version int) space {
	desc := fmt.Sprintf("Customer address space %05d of the %s bench", i, prefix)
	if version > 1 && changed(i) {
		desc += " (changed)"
	}
	return space{name: fmt.Sprintf("%s-ca-%05d", prefix, i), attrs: [][2]string{
		{"type", q("Customer")},
		{"provider_address_space", q(prefix + "-pa")},
		{"isolation_method", q("NVGRE")},
		{"tenant", q(fmt.Sprintf("tenant-%05d", i))},
		{"vm_network", q(fmt.Sprintf("vmnet-%05d", i))},
		{"owner", q("tenant-admins")},
		{"description", q(desc)},
		{"custom_configuration", `{ Region = "EU" }`},
	}}
}

// without is the space's attributes but the named ones.
func (s space) without(skip ...string) [][2]string {
	return slices.DeleteFunc(slices.Clone(s.attrs), func(a [2]string) bool { return slices.Contains(skip, a[0]) })
}

// entry writes a space as an entry of a local map: its name, quoted, and its attributes as an HCL
// object on one line, leaving out the named attributes.
func (s space) entry(b *strings.Builder, skip ...string) {
	fmt.Fprintf(b, "    %s = {", q(s.name))
	for i, a := range s.without(skip...) {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(b, " %s = %s", a[0], a[1])
	}
	b.WriteString(" }\n")
}

// arguments is a space as the arguments of a block, one a line, each indented by indent and the
// equals signs aligned: its name, then its attributes but the named ones.
func (s space) arguments(indent string, skip ...string) string {
	args := append([][2]string{{"name", q(s.name)}}, s.without(skip...)...)
	width := 0
	for _, a := range args {
		width = max(width, len(a[0]))
	}
	var b strings.Builder
	for _, a := range args {
		fmt.Fprintf(&b, "%s%-*s = %s\n", indent, width, a[0], a[1])
	}
	return b.String()
}

// generateConfig writes the main.tf of case kind k with n items, version 1 (create) or 2 (1% of
// the keys with another description). prefix keeps names unique across the cases sharing one
// emulator.
func generateConfig(k caseKind, n, version int, prefix string, conn emulatorConn) string {
	var b strings.Builder
	b.WriteString("# Generated by internal/bench (make bench).\n\n")
	if k.usesProvider() {
		fmt.Fprintf(&b, `terraform {
  required_providers {
    ipam = {
      source = "winipam/ipam"
    }
  }
}

provider "ipam" {
  endpoint = %s
  username = %s
  password = %s
`, q(conn.endpoint), q(conn.username), q(conn.password))
		if !k.sealed() {
			b.WriteString("  auth     = \"basic\"\n")
		}
		b.WriteString("}\n\n")
	}
	pa := providerSpace(prefix)
	customers := customerCount(k, n)

	if !k.forEach() {
		b.WriteString("locals {\n  spaces = {\n")
		pa.entry(&b)
		for i := 1; i <= customers; i++ {
			customerSpace(prefix, i, version).entry(&b)
		}
		b.WriteString("  }\n}\n\n")
		if k.usesProvider() {
			b.WriteString("resource \"ipam_address_spaces\" \"bench\" {\n  address_spaces = local.spaces\n}\n")
		} else {
			b.WriteString("resource \"terraform_data\" \"bench\" {\n  input = local.spaces\n}\n")
		}
		return b.String()
	}

	// for_each: the customers' settings in a local map, the provider space as its own resource.
	b.WriteString("locals {\n  customers = {\n")
	for i := 1; i <= customers; i++ {
		customerSpace(prefix, i, version).entry(&b, "type", "provider_address_space", "custom_configuration")
	}
	b.WriteString("  }\n}\n\n")
	if k == kindForEach {
		fmt.Fprintf(&b, `resource "ipam_provider_address_space" "pa" {
%s}

resource "ipam_customer_address_space" "ca" {
  for_each = local.customers

  name                   = each.key
  provider_address_space = ipam_provider_address_space.pa.name
  isolation_method       = each.value.isolation_method
  tenant                 = each.value.tenant
  vm_network             = each.value.vm_network
  owner                  = each.value.owner
  description            = each.value.description
  custom_configuration   = { Region = "EU" }
}
`, pa.arguments("  ", "type"))
		return b.String()
	}
	fmt.Fprintf(&b, `resource "terraform_data" "pa" {
  input = {
%s  }
}

resource "terraform_data" "ca" {
  for_each = local.customers

  input = merge(each.value, {
    name                   = each.key
    provider_address_space = terraform_data.pa.input.name
    custom_configuration   = { Region = "EU" }
  })
}
`, pa.arguments("    ", "type"))
	return b.String()
}
