package wsman

import (
	"reflect"
	"testing"
)

const (
	testOpStatusURI = WMIBase + "root/microsoft/ipam/MSFT_IPAM_OperationStatus"
	testSpaceURI    = WMIBase + "root/microsoft/ipam/MSFT_IPAM_AddressSpace"
)

// decodeOneValue decodes the single property element prop, written inside a method output whose
// root declares xsi and c1 (the OperationStatus namespace) but not the CIM namespace, so each case
// declares the CIM prefix it uses, as WinRM does on the element that needs it.
func decodeOneValue(t *testing.T, prop string) Value {
	t.Helper()
	root, err := parseTree([]byte(`<p:M_OUTPUT xmlns:p="` + testSpaceURI + `" xmlns:xsi="` + NSXSI +
		`" xmlns:c1="` + testOpStatusURI + `">` + prop + `</p:M_OUTPUT>`))
	if err != nil {
		t.Fatalf("parseTree: %v", err)
	}
	props := decodeProperties(root)
	if len(props) != 1 || len(props[0].Values) != 1 {
		t.Fatalf("decoded %#v, want one property with one value", props)
	}
	return props[0].Values[0]
}

func TestDecodeTypedValues(t *testing.T) {
	t.Parallel()
	const cim = ` xmlns:cim="` + NSCIM + `"`
	tests := []struct {
		name string
		prop string
		want Value
	}{
		{"typed uint", `<c1:Index` + cim + ` xsi:type="cim:cimUnsignedInt">0</c1:Index>`, Value{Text: "0"}},
		{"typed string", `<c1:ErrorMessage` + cim + ` xsi:type="cim:cimString">The provider address space MainDataCenter does not exist.</c1:ErrorMessage>`,
			Value{Text: "The provider address space MainDataCenter does not exist."}},
		{"typed empty string", `<c1:ErrorMessage` + cim + ` xsi:type="cim:cimString"/>`, Value{Text: ""}},
		{"CIM namespace under another prefix", `<c1:Index xmlns:q="` + NSCIM + `" xsi:type="q:cimUnsignedInt">7</c1:Index>`, Value{Text: "7"}},
		{"untyped leaf", `<c1:Index>1</c1:Index>`, Value{Text: "1"}},
		{"typed nil", `<c1:ErrorMessage` + cim + ` xsi:nil="true" xsi:type="cim:cimString"/>`, Value{Nil: true}},
		{"untyped nil", `<c1:ErrorMessage xsi:nil="true"/>`, Value{Nil: true}},
		{"typed datetime wrapper", `<c1:When` + cim + ` xsi:type="cim:cimDateTime"><cim:Datetime>2024-05-01T10:00:00Z</cim:Datetime></c1:When>`,
			Value{Text: "2024-05-01T10:00:00Z"}},
		{"empty instance of a class type", `<p:Output xmlns:c2="` + testSpaceURI + `" xsi:type="c2:MSFT_IPAM_AddressSpace_Type"/>`,
			Value{Instance: &Instance{Class: "MSFT_IPAM_AddressSpace", ResourceURI: testSpaceURI}}},
		// "cim" bound to some other namespace: the text "cim:" alone does not make a scalar.
		{"cim prefix of another namespace", `<p:Output xmlns:cim="` + testSpaceURI + `" xsi:type="cim:cimString"/>`,
			Value{Instance: &Instance{Class: "cimString", ResourceURI: testSpaceURI}}},
		{"instance with typed leaves", `<p:Output xsi:type="c1:MSFT_IPAM_OperationStatus_Type"` + cim + `>` +
			`<c1:Index xsi:type="cim:cimUnsignedInt">2</c1:Index><c1:Win32Status xsi:type="cim:cimUnsignedInt">0</c1:Win32Status></p:Output>`,
			Value{Instance: &Instance{Class: "MSFT_IPAM_OperationStatus", ResourceURI: testOpStatusURI, Properties: []Property{
				{Name: "Index", Values: []Value{{Text: "2"}}},
				{Name: "Win32Status", Values: []Value{{Text: "0"}}},
			}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := decodeOneValue(t, tt.prop); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decoded %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

// TestDecodeTypedOperationStatus reads a bulk method's output whose MSFT_IPAM_OperationStatus leaves
// carry xsi:type the way WinRM types MSFT_WmiError's (WinRb tests/spec/stubs/responses/wmi_error_v2.xml),
// through the same accessors the IPAM client uses.
func TestDecodeTypedOperationStatus(t *testing.T) {
	t.Parallel()
	body := `<s:Envelope xmlns:s="` + NSSoap + `" xmlns:a="` + NSAddressing + `" xmlns:xsi="` + NSXSI + `">` +
		`<s:Header><a:Action>` + MethodResponseAction(testSpaceURI, "BulkAddOrUpdateAddressSpace") + `</a:Action></s:Header>` +
		`<s:Body><p:BulkAddOrUpdateAddressSpace_OUTPUT xmlns:p="` + testSpaceURI + `" xmlns:cim="` + NSCIM + `">` +
		`<p:Output xmlns:c1="` + testOpStatusURI + `" xsi:type="c1:MSFT_IPAM_OperationStatus_Type">` +
		`<c1:Index xsi:type="cim:cimUnsignedInt">0</c1:Index>` +
		`<c1:RecordId xsi:type="cim:cimUnsignedLong">17</c1:RecordId>` +
		`<c1:Win32Status xsi:type="cim:cimUnsignedInt">0</c1:Win32Status>` +
		`<c1:ErrorMessage xsi:nil="true" xsi:type="cim:cimString"/>` +
		`</p:Output>` +
		`<p:Output xmlns:c1="` + testOpStatusURI + `" xsi:type="c1:MSFT_IPAM_OperationStatus_Type">` +
		`<c1:Index xsi:type="cim:cimUnsignedInt">1</c1:Index>` +
		`<c1:RecordId xsi:type="cim:cimUnsignedLong">0</c1:RecordId>` +
		`<c1:Win32Status xsi:type="cim:cimUnsignedInt">1168</c1:Win32Status>` +
		`<c1:ErrorMessage xsi:type="cim:cimString">The provider address space MainDataCenter does not exist.</c1:ErrorMessage>` +
		`</p:Output>` +
		`<p:ReturnValue xsi:type="cim:cimUnsignedInt">0</p:ReturnValue>` +
		`</p:BulkAddOrUpdateAddressSpace_OUTPUT></s:Body></s:Envelope>`
	env, err := Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	out, err := env.InvokeOutput("BulkAddOrUpdateAddressSpace")
	if err != nil {
		t.Fatal(err)
	}
	if out.ReturnValue == nil || *out.ReturnValue != 0 {
		t.Errorf("ReturnValue = %v, want 0", out.ReturnValue)
	}
	statuses := (&Instance{Properties: out.Params}).Instances("Output")
	if len(statuses) != 2 {
		t.Fatalf("got %d Output instances, want 2: %#v", len(statuses), out.Params)
	}
	want := []map[string]string{
		{"Index": "0", "RecordId": "17", "Win32Status": "0"},
		{"Index": "1", "RecordId": "0", "Win32Status": "1168", "ErrorMessage": "The provider address space MainDataCenter does not exist."},
	}
	for i, st := range statuses {
		if st.Class != "MSFT_IPAM_OperationStatus" || st.ResourceURI != testOpStatusURI {
			t.Errorf("Output %d is %s in %s", i, st.Class, st.ResourceURI)
		}
		for _, name := range []string{"Index", "RecordId", "Win32Status", "ErrorMessage"} {
			got, ok := st.Text(name)
			if w, wantOK := want[i][name]; got != w || ok != wantOK {
				t.Errorf("Output %d: Text(%s) = %q, %v; want %q, %v", i, name, got, ok, w, wantOK)
			}
		}
	}
}

// TestDecodeTypedWmiError decodes WinRM's MSFT_WmiError as an instance (WinRb wmi_error_v2.xml,
// shortened): every typed leaf keeps its text, and xsi:nil wins over xsi:type.
func TestDecodeTypedWmiError(t *testing.T) {
	t.Parallel()
	root, err := parseTree([]byte(`<p:MSFT_WmiError b:IsCIM_Error='true' xmlns:b='http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd' xmlns:cim='http://schemas.dmtf.org/wbem/wscim/1/common' xmlns:p='http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError' xsi:type='p:MSFT_WmiError_Type' xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'>
          <p:CIMStatusCode xsi:type='cim:cimUnsignedInt'>27</p:CIMStatusCode>
          <p:CIMStatusCodeDescription xsi:nil='true' xsi:type='cim:cimString'/>
          <p:ErrorType xsi:type='cim:cimUnsignedShort'>0</p:ErrorType>
          <p:MessageID xsi:type='cim:cimString'>HRESULT 0x803381a5</p:MessageID>
          <p:error_Code xsi:type='cim:cimUnsignedInt'>2150859173</p:error_Code>
          <p:error_Type xsi:type='cim:cimString'>HRESULT</p:error_Type>
        </p:MSFT_WmiError>`))
	if err != nil {
		t.Fatal(err)
	}
	in := decodeInstance(root)
	if in.Class != "MSFT_WmiError" {
		t.Errorf("Class = %q", in.Class)
	}
	for name, want := range map[string]string{"CIMStatusCode": "27", "ErrorType": "0", "MessageID": "HRESULT 0x803381a5", "error_Code": "2150859173", "error_Type": "HRESULT"} {
		if got, ok := in.Text(name); !ok || got != want {
			t.Errorf("Text(%s) = %q, %v; want %q", name, got, ok, want)
		}
	}
	if p, ok := in.Property("CIMStatusCodeDescription"); !ok || len(p.Values) != 1 || !p.Values[0].Nil {
		t.Errorf("CIMStatusCodeDescription = %#v, %v; want one nil value", p, ok)
	}
}
