package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// upgradeBulkV1 converts JSON state to msgpack without tftypes; tftypes' own conversion is the
// oracle it must agree with.
func TestUpgradeBulkV1MatchesTFTypes(t *testing.T) {
	states := map[string]string{
		"map of objects": `{"id":"ipam-address-spaces-1","ids":{"A":"{1}","B":"{2}"},"partial":false,"timeouts":null,
			"address_spaces":{"value":{"A":{"owner":"a","type":"Provider"},"B":{"owner":"b","type":"Provider"}},
			"type":["map",["object",{"owner":"string","type":"string"}]]}}`,
		"object with nested maps": `{"id":"x","ids":{},"partial":true,"timeouts":{"create":"5m","read":null,"update":null,"delete":null},
			"address_spaces":{"value":{"A":{"type":"Provider"},"T":{"type":"Customer","custom_configuration":{"Region":"west","Site":"a;b"}}},
			"type":["object",{"A":["object",{"type":"string"}],"T":["object",{"custom_configuration":["map","string"],"type":"string"}]}]}}`,
		"numbers, lists and unicode": `{"id":"x","ids":null,"partial":null,"timeouts":null,
			"address_spaces":{"value":{"A":{"n":12,"f":1.5,"big":123456789012345678901234567890,"l":["é","\u00e9"],"b":true}},
			"type":["object",{"A":["object",{"n":"number","f":"number","big":"number","l":["list","string"],"b":"bool"}]}]}}`,
		"null address_spaces, an attribute the schema lacks": `{"id":"x","address_spaces":null,"ids":null,"partial":false,"timeouts":null,"gone":1}`,
	}
	for name, js := range states {
		t.Run(name, func(t *testing.T) {
			raw := &tfprotov6.RawState{JSON: []byte(js)}
			want, err := raw.UnmarshalWithOpts(bulkTypeTF, tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
			if err != nil {
				t.Fatal(err)
			}
			dv, err := upgradeBulkV1([]byte(js))
			if err != nil {
				t.Fatal(err)
			}
			got, err := dv.Unmarshal(bulkTypeTF)
			if err != nil {
				t.Fatal(err)
			}
			if diff, _ := got.Diff(want); len(diff) > 0 || !got.Equal(want) {
				t.Errorf("got %v\nwant %v", got, want)
			}
		})
	}
}

func TestUpgradeBulkV1BadState(t *testing.T) {
	for _, js := range []string{``, `[`, `{"address_spaces":{"value":{}}}`, `{"address_spaces":{"value":{"A":1},"type":`} {
		if _, err := upgradeBulkV1([]byte(js)); err == nil {
			t.Errorf("%q: no error", js)
		}
	}
}
