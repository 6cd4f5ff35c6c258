package wmi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/ipam/wmi"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// paramNames lists the parameters of each request to method, in order.
func paramNames(p *proxy, method string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, env := range p.requests {
		if env == nil || shortAction(env.Header.Action) != method {
			continue
		}
		in, err := env.InvokeInput()
		if err != nil {
			return []string{err.Error()}
		}
		var names []string
		for _, prm := range in.Params {
			names = append(names, prm.Name)
		}
		out = append(out, strings.Join(names, ","))
	}
	return out
}

// The Add methods send only the optional parameters that are set, as the IPAM cmdlets pass only
// bound ones; the bulk update sends every field, because there "" clears a value.
func TestAddLeavesOutUnsetParameters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := startProxy(t, emulator.Config{}, nil)
	c := p.client(t, nil)

	if _, err := c.AddProviderAddressSpace(ctx, provider("PA-bare")); err != nil {
		t.Fatal(err)
	}
	full := provider("PA-full")
	full.Owner, full.Description, full.CustomConfiguration = "netops", "west", ipam.CustomConfiguration{"Region": "EU"}
	if _, err := c.AddProviderAddressSpace(ctx, full); err != nil {
		t.Fatal(err)
	}
	bare, err := c.AddCustomerAddressSpace(ctx, customer("CA-bare", "PA-bare"))
	if err != nil {
		t.Fatal(err)
	}
	some := customer("CA-some", "PA-bare")
	some.Tenant, some.Owner = "4001", "me"
	if _, err := c.AddCustomerAddressSpace(ctx, some); err != nil {
		t.Fatal(err)
	}
	for method, want := range map[string][]string{
		"AddProviderAddressSpace": {"Name", "Name,Owner,Description,CustomConfiguration"},
		"AddCustomerAddressSpace": {"Name,AssociatedProviderAddressSpace,IsolationMethod",
			"Name,AssociatedProviderAddressSpace,Tenant,IsolationMethod,Owner"},
	} {
		if got := paramNames(p, method); strings.Join(got, " | ") != strings.Join(want, " | ") {
			t.Errorf("%s parameters:\n got %q\nwant %q", method, got, want)
		}
	}
	if bare.Owner != "" || bare.Tenant != "" || bare.VMNetwork != "" || bare.Description != "" || len(bare.CustomConfiguration) != 0 {
		t.Errorf("left-out parameters did not read as empty: %+v", bare)
	}

	// An update clears with "": every field is sent.
	got, err := c.GetByName(ctx, "PA-full")
	if err != nil {
		t.Fatal(err)
	}
	got.Owner, got.Description, got.CustomConfiguration = "", "", nil
	if res, err := c.BulkAddOrUpdate(ctx, []ipam.AddressSpace{*got}); err != nil || res[0] != nil {
		t.Fatalf("%v %v", err, res)
	}
	if got, err = c.Get(ctx, got.InstanceID); err != nil || got.Owner != "" || got.Description != "" || len(got.CustomConfiguration) != 0 {
		t.Fatalf("not cleared: %v %+v", err, got)
	}
	p.mu.Lock()
	last := p.requests[len(p.requests)-2] // the update, before the Get's Enumerate
	p.mu.Unlock()
	in, err := last.InvokeInput()
	if err != nil {
		t.Fatal(err)
	}
	prm, _ := in.Param("AddressSpace")
	for _, name := range []string{"Owner", "Description", "CustomConfiguration"} {
		if v, ok := prm.Values[0].Instance.Text(name); !ok || v != "" {
			t.Errorf("the update's %s: %q %v, want it sent empty", name, v, ok)
		}
	}
}

// addOutput answers a successful Add with an output in another shape than an embedded instance,
// after the emulator has created the object.
func addOutput(output string) interceptor {
	return func(w http.ResponseWriter, r *http.Request, _ []byte, env *wsman.Envelope, emu *emulator.Server) bool {
		if env == nil || !strings.HasPrefix(shortAction(env.Header.Action), "Add") {
			return false
		}
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return true
		}
		method := shortAction(env.Header.Action)
		body := fmt.Sprintf(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">`+
			`<s:Header><a:Action>%[1]s/%[2]sResponse</a:Action><a:MessageID>uuid:00000000-0000-4000-8000-000000000002</a:MessageID>`+
			`<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To><a:RelatesTo>%[3]s</a:RelatesTo></s:Header>`+
			`<s:Body><p:%[2]s_OUTPUT xmlns:p="%[1]s">%[4]s<p:ReturnValue>0</p:ReturnValue></p:%[2]s_OUTPUT></s:Body></s:Envelope>`,
			wmi.AddressSpaceURI, method, env.Header.MessageID, output)
		w.Header().Set("Content-Type", wsman.ContentType)
		_, _ = w.Write([]byte(body))
		return true
	}
}

// A create that succeeded is not reported as failed because its output is not the embedded
// instance the documentation shows: the client reads the object back by name.
func TestAddOutputInAnotherShape(t *testing.T) {
	t.Parallel()
	epr := `<p:output><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address><a:ReferenceParameters>` +
		`<w:ResourceURI>` + wmi.AddressSpaceURI + `</w:ResourceURI><w:SelectorSet><w:Selector Name="InstanceID">{0}</w:Selector></w:SelectorSet>` +
		`</a:ReferenceParameters></p:output>`
	for name, output := range map[string]string{
		"EPR":     epr,
		"empty":   `<p:output/>`,
		"nil":     `<p:output xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>`,
		"missing": ``,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			p := startProxy(t, emulator.Config{TypeNumbering: ipam.NumberingIPAMM2}, addOutput(output))
			c := p.client(t, nil)
			pa := provider("PA")
			pa.Owner = "netops"
			got, err := c.AddProviderAddressSpace(ctx, pa)
			if err != nil || got.InstanceID == "" || got.Name != "PA" || got.Owner != "netops" || got.Type != ipam.TypeProvider {
				t.Fatalf("%v %+v", err, got)
			}
			ca, err := c.AddCustomerAddressSpace(ctx, customer("CA", "PA"))
			if err != nil || ca.InstanceID == "" || ca.Type != ipam.TypeCustomer {
				t.Fatalf("%v %+v", err, ca)
			}
			// A failure is still a failure.
			if _, err := c.AddProviderAddressSpace(ctx, provider("pa")); !errors.Is(err, ipam.ErrAlreadyExists) {
				t.Fatalf("duplicate: %v", err)
			}
		})
	}
}
