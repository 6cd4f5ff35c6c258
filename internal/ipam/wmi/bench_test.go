package wmi

// Benchmarks of the codec path one address space and one 1,000-item bulk call take through the
// client: wmi's mapping (toInstance, FromInstance, operation statuses) plus wsman.Marshal/Parse.
// `make bench` runs them with -benchmem after the Terraform table; they are never assertions.

import (
	"fmt"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

const benchEndpoint = "http://127.0.0.1:5985/wsman"

func benchSpace(i int) ipam.AddressSpace {
	return ipam.AddressSpace{
		InstanceID:                     fmt.Sprintf("%d", 1000+i),
		Name:                           fmt.Sprintf("ca-%05d", i),
		Type:                           ipam.TypeCustomer,
		Owner:                          "netops",
		Description:                    fmt.Sprintf("customer address space %d of the bench <east> & co", i),
		AssociatedProviderAddressSpace: "pa-00000",
		Tenant:                         fmt.Sprintf("tenant-%d", i),
		VMNetwork:                      fmt.Sprintf("vmnet-%d", i),
		IsolationMethod:                ipam.IsolationNVGRE,
		CustomConfiguration:            ipam.CustomConfiguration{"Region": "EU", "CostCenter": fmt.Sprint(i % 97)},
	}
}

// benchServerInstance is an address space as a server writes it: every property, read-outs included.
func benchServerInstance(i int) *wsman.Instance {
	a := benchSpace(i)
	return toInstance(&a, ipam.NumberingWMI).
		Add(wsman.Scalar("AccessScopePath", `\Global`)).
		Add(wsman.Scalar("IsInheritedAccessScope", "true")).
		Add(wsman.Scalar("IPv4PercentageUtilized", "12.5")).
		Add(wsman.Scalar("IPv6PercentageUtilized", "0")).
		Add(wsman.Uint("IPv4Utilization", 1)).
		Add(wsman.Uint("IPv6Utilization", 0))
}

func invokeHeader(method string) wsman.Header {
	return wsman.Header{
		To: benchEndpoint, ResourceURI: AddressSpaceURI, Action: wsman.MethodAction(AddressSpaceURI, method),
		MessageID: "uuid:0D3E5A7C-1B2F-4C6D-8E9A-D3E0000000D1", MaxEnvelopeSize: 512000, OperationTimeout: 60 * time.Second,
	}
}

func responseHeader(method string) wsman.Header {
	return wsman.Header{
		To: "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous", Action: wsman.MethodResponseAction(AddressSpaceURI, method),
		MessageID: "uuid:0D3E5A7C-1B2F-4C6D-8E9A-D3E0000000D2", RelatesTo: "uuid:0D3E5A7C-1B2F-4C6D-8E9A-D3E0000000D1",
	}
}

// mustParseOutput reads a method's response as the client does.
func mustParseOutput(b *testing.B, data []byte, method string) *wsman.InvokeOutput {
	env, err := wsman.Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	out, err := env.InvokeOutput(method)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// mustParseItems reads the instances of an Enumerate or Pull response as the client does.
func mustParseItems(tb testing.TB, data []byte) []*wsman.Instance {
	tb.Helper()
	env, err := wsman.Parse(data)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := env.EnumerationResult()
	if err != nil {
		tb.Fatal(err)
	}
	return res.Items
}

func mustMarshal(b *testing.B, h wsman.Header, body wsman.Body) []byte {
	b.Helper()
	data, err := wsman.Marshal(h, body)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkEncodeAddressSpace: one item of a BulkAddOrUpdateAddressSpace request, whole envelope.
func BenchmarkEncodeAddressSpace(b *testing.B) {
	a := benchSpace(1)
	h := invokeHeader("BulkAddOrUpdateAddressSpace")
	b.ReportAllocs()
	var n int
	for b.Loop() {
		in := &wsman.InvokeInput{Method: "BulkAddOrUpdateAddressSpace", Params: []wsman.Property{wsman.Embedded("AddressSpace", toInstance(&a, ipam.NumberingWMI))}}
		data, err := wsman.Marshal(h, in)
		if err != nil {
			b.Fatal(err)
		}
		n = len(data)
	}
	b.SetBytes(int64(n))
}

// BenchmarkDecodeAddressSpace: the response of an Add call carrying the new object, parsed and
// read into an ipam.AddressSpace.
func BenchmarkDecodeAddressSpace(b *testing.B) {
	var zero uint32
	data := mustMarshal(b, responseHeader("AddCustomerAddressSpace"), &wsman.InvokeOutput{Method: "AddCustomerAddressSpace",
		ResourceURI: AddressSpaceURI, ReturnValue: &zero, Params: []wsman.Property{wsman.Embedded("output", benchServerInstance(1))}})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		out := mustParseOutput(b, data, "AddCustomerAddressSpace")
		p, ok := out.Param("output")
		if !ok || len(p.Values) != 1 {
			b.Fatal("no output")
		}
		if _, err := FromInstance(p.Values[0].Instance, ipam.NumberingWMI); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeBulk1000: a BulkAddOrUpdateAddressSpace request with 1,000 items in one envelope
// (the client splits by MaxEnvelopeSize; this measures the codec, not the split).
func BenchmarkEncodeBulk1000(b *testing.B) {
	items := make([]ipam.AddressSpace, 1000)
	for i := range items {
		items[i] = benchSpace(i)
	}
	h := invokeHeader("BulkAddOrUpdateAddressSpace")
	b.ReportAllocs()
	var n int
	for b.Loop() {
		insts := make([]*wsman.Instance, len(items))
		for i := range items {
			insts[i] = toInstance(&items[i], ipam.NumberingWMI)
		}
		data, err := wsman.Marshal(h, &wsman.InvokeInput{Method: "BulkAddOrUpdateAddressSpace", Params: []wsman.Property{wsman.Embedded("AddressSpace", insts...)}})
		if err != nil {
			b.Fatal(err)
		}
		n = len(data)
	}
	b.SetBytes(int64(n))
}

// BenchmarkDecodeBulkResponse1000: the answer to a 1,000-item bulk call, one
// MSFT_IPAM_OperationStatus per item (as the emulator writes it), parsed and applied to results.
func BenchmarkDecodeBulkResponse1000(b *testing.B) {
	const n = 1000
	items := make([]ipam.AddressSpace, n)
	statuses := make([]*wsman.Instance, n)
	for i := range items {
		items[i] = benchSpace(i)
		statuses[i] = wsman.NewInstance("MSFT_IPAM_OperationStatus", wsman.WMIBase+"root/microsoft/ipam/MSFT_IPAM_OperationStatus",
			wsman.Uint("Index", uint64(i)), wsman.Uint("RecordId", uint64(5000+i)), wsman.Uint("Win32Status", 0), wsman.Null("ErrorMessage"))
	}
	var zero uint32
	data := mustMarshal(b, responseHeader("BulkAddOrUpdateAddressSpace"), &wsman.InvokeOutput{Method: "BulkAddOrUpdateAddressSpace",
		ResourceURI: AddressSpaceURI, ReturnValue: &zero, Params: []wsman.Property{wsman.Embedded("Output", statuses...)}})
	bt := batch{start: 0, instances: make([]*wsman.Instance, n)}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		out := mustParseOutput(b, data, "BulkAddOrUpdateAddressSpace")
		results := make([]error, n)
		if err := applyStatuses("BulkAddOrUpdateAddressSpace", items, bt, out, results); err != nil {
			b.Fatal(err)
		}
		for _, e := range results {
			if e != nil {
				b.Fatal(e)
			}
		}
	}
}

// BenchmarkDecodeEnumeration1000: a PullResponse holding 1,000 address spaces (the refresh of a
// 1,000-key bulk resource reads them this way, in pages), parsed and read with FromInstance.
func BenchmarkDecodeEnumeration1000(b *testing.B) {
	const n = 1000
	insts := make([]*wsman.Instance, n)
	for i := range insts {
		insts[i] = benchServerInstance(i)
	}
	h := responseHeader("Pull")
	h.Action = wsman.ActionPullResponse
	data := mustMarshal(b, h, &wsman.EnumerationResult{Pull: true, Items: insts, EndOfSequence: true})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		items := mustParseItems(b, data)
		if len(items) != n {
			b.Fatalf("%d items, want %d", len(items), n)
		}
		for _, in := range items {
			if _, err := FromInstance(in, ipam.NumberingWMI); err != nil {
				b.Fatal(err)
			}
		}
	}
}
