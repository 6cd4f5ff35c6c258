package wmi_test

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/fuzztest"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/ipam/wmi"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// addressSpaceProperties are the MSFT_IPAM_AddressSpace properties FromInstance reads; an error
// names the one at fault.
var addressSpaceProperties = []string{
	"InstanceID", "Name", "Owner", "Description", "AssociatedProviderAddressSpace", "Tenant", "VMNetwork",
	"IsolationMethod", "AccessScopePath", "Type", "CustomConfiguration", "custom configuration", "custom field",
	"IPv4PercentageUtilized", "IPv6PercentageUtilized", "IPv4Utilization", "IPv6Utilization", "IsInheritedAccessScope",
}

// FuzzFromInstance decodes arbitrary envelopes and reads every instance they carry (a GetResponse
// body, enumerated items, a method's embedded out-parameters) as an address space. FromInstance
// must not panic; an error must be one clear line that names the object and the property at fault;
// a success must carry what the instance says. Seeds are the responses the codec is tested with;
// more are in testdata/fuzz/FuzzFromInstance.
func FuzzFromInstance(f *testing.F) {
	for _, pattern := range []string{"*response*.xml", "*pull*.xml"} {
		for _, dir := range []string{"golden", "doc", "windows"} {
			fuzztest.AddFiles(f, filepath.Join("..", "..", "wsman", "testdata", dir, pattern))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := wsman.Parse(data)
		if err != nil {
			return
		}
		fuzztest.WithinDeadline(t, func() {
			for _, in := range instancesIn(env) {
				for _, n := range []ipam.TypeNumbering{ipam.NumberingWMI, ipam.NumberingIPAMM2} {
					checkFromInstance(t, in, n)
				}
			}
		})
	})
}

// instancesIn collects every instance an envelope carries, nested ones included.
func instancesIn(env *wsman.Envelope) []*wsman.Instance {
	var all []*wsman.Instance
	var walk func(in *wsman.Instance, depth int)
	walk = func(in *wsman.Instance, depth int) {
		all = append(all, in)
		for _, p := range in.Properties {
			for _, v := range p.Values {
				if v.Instance != nil && depth < 100 {
					walk(v.Instance, depth+1)
				}
			}
		}
	}
	if in, err := env.Instance(); err == nil {
		walk(in, 0)
	}
	if res, err := env.EnumerationResult(); err == nil {
		for _, in := range res.Items {
			walk(in, 0)
		}
	}
	if env.Body != nil {
		if out, err := env.InvokeOutput(strings.TrimSuffix(env.Body.Local, "_OUTPUT")); err == nil {
			walk(&wsman.Instance{Properties: out.Params}, 0)
		}
	}
	return all
}

func checkFromInstance(t *testing.T, in *wsman.Instance, n ipam.TypeNumbering) {
	t.Helper()
	a, err := wmi.FromInstance(in, n)
	text := func(name string) string { v, _ := in.Text(name); return v }
	if err != nil {
		if a != nil {
			t.Fatalf("FromInstance returned %+v with its error %v", a, err)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, fmt.Sprintf("address space %q from the server: ", text("Name"))) {
			t.Fatalf("error %q does not name the address space %q", msg, text("Name"))
		}
		if strings.ContainsAny(msg, "\n\r") {
			t.Fatalf("error %q is not one line", msg)
		}
		named := false
		for _, p := range addressSpaceProperties {
			named = named || strings.Contains(msg, p)
		}
		if !named {
			t.Fatalf("error %q names no property", msg)
		}
		return
	}
	if a == nil {
		t.Fatal("FromInstance returned neither an address space nor an error")
	}
	for name, got := range map[string]string{
		"InstanceID": a.InstanceID, "Name": a.Name, "Owner": a.Owner, "Description": a.Description,
		"AssociatedProviderAddressSpace": a.AssociatedProviderAddressSpace, "Tenant": a.Tenant, "VMNetwork": a.VMNetwork,
		"IsolationMethod": a.IsolationMethod, "AccessScopePath": a.AccessScopePath,
	} {
		if got != text(name) {
			t.Fatalf("%s is %q, but the instance says %q", name, got, text(name))
		}
	}
	if a.InstanceID == "" {
		t.Fatal("an address space without an InstanceID was accepted")
	}
	if a.Type != ipam.TypeProvider && a.Type != ipam.TypeCustomer {
		t.Fatalf("type %d", a.Type)
	}
	if t0 := text("Type"); t0 != "" {
		if v, err := strconv.ParseUint(strings.TrimSpace(t0), 10, 16); err != nil || n.Wire(a.Type) != uint16(v) {
			t.Fatalf("Type %q read as %d in %s", t0, a.Type, n)
		}
		if a.Type == ipam.TypeProvider && a.AssociatedProviderAddressSpace != "" {
			t.Fatalf("Type %q read as a provider with an AssociatedProviderAddressSpace in %s", t0, n)
		}
	}
	// The custom configuration reads back the same from its canonical form.
	back, err := ipam.ParseCustomConfiguration(a.CustomConfiguration.String())
	if err != nil || back.String() != a.CustomConfiguration.String() {
		t.Fatalf("custom configuration %q: canonical form %q reads back as %q, %v",
			text("CustomConfiguration"), a.CustomConfiguration.String(), back.String(), err)
	}
	// Terraform numbers are finite: NaN would make the framework panic (big.NewFloat), infinity
	// cannot be stored in state.
	for name, v := range map[string]float64{"IPv4PercentageUtilized": a.IPv4PercentageUtilized, "IPv6PercentageUtilized": a.IPv6PercentageUtilized} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("%s %q read as %v, which Terraform cannot hold", name, text(name), v)
		}
	}
	if v := text("IPv4Utilization"); v != "" {
		if n, _ := strconv.ParseUint(strings.TrimSpace(v), 10, 16); ipam.Utilization(n) != a.IPv4Utilization {
			t.Fatalf("IPv4Utilization %q read as %d", v, a.IPv4Utilization)
		}
	}
}
