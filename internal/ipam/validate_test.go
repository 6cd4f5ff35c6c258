package ipam

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const emoji = "\U0001F600" // one rune, two UTF-16 code units, four UTF-8 bytes

func TestLength(t *testing.T) {
	checkExamples(t, "Length", Length, []example[string, int]{
		{"", 0},
		{"abc", 3},
		{"é", 1},            // 2 UTF-8 bytes, 1 code unit
		{"日本", 2},           // 3 UTF-8 bytes each, 1 code unit each
		{emoji, 2},          // a surrogate pair
		{"a" + emoji, 3},    // mixed
		{"\U0010FFFF", 2},   // the last code point
		{"\uFFFF", 1},       // the last BMP code point
		{"\xff", 1},         // an invalid byte reads as U+FFFD: one unit
		{"\xed\xa0\x80", 3}, // an encoded surrogate is three invalid bytes
	})
}

func TestValidateName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"simple", "Contoso", true},
		{"one character", "a", true},
		{"inner blanks", "Contoso Data Center", true},
		{"exactly 1000", strings.Repeat("a", 1000), true},
		{"1001", strings.Repeat("a", 1001), false},
		{"1000 two-byte runes", strings.Repeat("é", 1000), true},
		{"1001 two-byte runes", strings.Repeat("é", 1001), false},
		{"1000 three-byte runes", strings.Repeat("日", 1000), true},
		{"500 emojis", strings.Repeat(emoji, 500), true},
		{"501 emojis", strings.Repeat(emoji, 501), false},
		{"999 letters and an emoji", strings.Repeat("a", 999) + emoji, false},
		{"998 letters and an emoji", strings.Repeat("a", 998) + emoji, true},
		{"empty", "", false},
		{"space", " ", false},
		{"blanks", " \t\r\n ", false},
		{"unicode blanks", "\u00a0\u2003\u3000", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateName(tt.in)
			if !tt.ok {
				wantInvalid(t, fmt.Sprintf("ValidateName(%q)", tt.in), err)
			} else if err != nil {
				t.Errorf("ValidateName(%q) = %v, want nil", tt.in, err)
			}
		})
	}
}

func provider(name string) AddressSpace {
	return AddressSpace{Name: name, Type: TypeProvider}
}

func customer(name string) AddressSpace {
	return AddressSpace{Name: name, Type: TypeCustomer, AssociatedProviderAddressSpace: "Default", IsolationMethod: IsolationNVGRE}
}

func TestAddressSpaceValidateOK(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a    AddressSpace
	}{
		{"provider", provider("P")},
		{"provider, everything a provider may carry", AddressSpace{
			Name: "P", Type: TypeProvider, Owner: "ops", Description: "physical",
			CustomConfiguration: CustomConfiguration{"Region": "EU", "Tier": ""},
			// Read-outs are not checked.
			IPv4PercentageUtilized: 150, IPv4Utilization: 9, InstanceID: "anything",
		}},
		{"customer NVGRE", customer("C")},
		{"customer IPRewrite", func() AddressSpace { a := customer("C"); a.IsolationMethod = IsolationIPRewrite; return a }()},
		{"customer, isolation method in another case", func() AddressSpace { a := customer("C"); a.IsolationMethod = "iprewrite"; return a }()},
		{"customer, everything", AddressSpace{
			Name: "C", Type: TypeCustomer, AssociatedProviderAddressSpace: "P", Tenant: "4001",
			VMNetwork: "ContosoMusic_Network", IsolationMethod: "NVGRE", Owner: "o", Description: "d",
			CustomConfiguration: CustomConfiguration{"a": "b"},
		}},
		{"name 1000", provider(strings.Repeat("n", 1000))},
		{"name 500 emojis", provider(strings.Repeat(emoji, 500))},
		{"description 4000", func() AddressSpace { a := provider("P"); a.Description = strings.Repeat("d", 4000); return a }()},
		{"description 2000 emojis", func() AddressSpace { a := provider("P"); a.Description = strings.Repeat(emoji, 2000); return a }()},
		{"owner 1000", func() AddressSpace { a := provider("P"); a.Owner = strings.Repeat("o", 1000); return a }()},
		{"owner 500 emojis", func() AddressSpace { a := customer("C"); a.Owner = strings.Repeat(emoji, 500); return a }()},
		{"empty custom configuration", func() AddressSpace { a := provider("P"); a.CustomConfiguration = CustomConfiguration{}; return a }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := tt.a
			if err := a.Validate(); err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
		})
	}
}

func TestAddressSpaceValidateErrors(t *testing.T) {
	t.Parallel()
	with := func(a AddressSpace, f func(*AddressSpace)) AddressSpace { f(&a); return a }
	tests := []struct {
		name string
		a    AddressSpace
		// wantText are parts the message must hold, so that a user can tell what to fix.
		wantText []string
	}{
		{"empty name", provider(""), []string{"name"}},
		{"blank name", provider("   "), []string{"name"}},
		{"tab name", customer("\t"), []string{"name"}},
		{"name 1001", provider(strings.Repeat("n", 1001)), []string{"1001", "1000"}},
		{"name 501 emojis", provider(strings.Repeat(emoji, 501)), []string{"1002", "1000"}},
		{"description 4001", with(provider("P"), func(a *AddressSpace) { a.Description = strings.Repeat("d", 4001) }), []string{"description", "4001", "4000"}},
		{"description 2001 emojis", with(provider("P"), func(a *AddressSpace) { a.Description = strings.Repeat(emoji, 2001) }), []string{"description", "4002"}},
		{"owner 1001", with(provider("P"), func(a *AddressSpace) { a.Owner = strings.Repeat("o", 1001) }), []string{"owner", "1001", "1000"}},
		{"owner 501 emojis", with(customer("C"), func(a *AddressSpace) { a.Owner = strings.Repeat(emoji, 501) }), []string{"owner", "1002"}},
		{"provider with AssociatedProviderAddressSpace", with(provider("P"), func(a *AddressSpace) { a.AssociatedProviderAddressSpace = "Default" }), []string{"AssociatedProviderAddressSpace"}},
		{"provider with Tenant", with(provider("P"), func(a *AddressSpace) { a.Tenant = "4001" }), []string{"Tenant"}},
		{"provider with VMNetwork", with(provider("P"), func(a *AddressSpace) { a.VMNetwork = "net" }), []string{"VMNetwork"}},
		{"provider with IsolationMethod", with(provider("P"), func(a *AddressSpace) { a.IsolationMethod = "NVGRE" }), []string{"IsolationMethod"}},
		{"provider with blank Tenant", with(provider("P"), func(a *AddressSpace) { a.Tenant = " " }), []string{"Tenant"}},
		{"customer without provider space", with(customer("C"), func(a *AddressSpace) { a.AssociatedProviderAddressSpace = "" }), []string{"provider address space"}},
		{"customer with blank provider space", with(customer("C"), func(a *AddressSpace) { a.AssociatedProviderAddressSpace = "  " }), []string{"provider address space"}},
		{"customer without isolation method", with(customer("C"), func(a *AddressSpace) { a.IsolationMethod = "" }), []string{"isolation method", "NVGRE", "IPRewrite"}},
		{"customer with invalid isolation method", with(customer("C"), func(a *AddressSpace) { a.IsolationMethod = "VXLAN" }), []string{"VXLAN", "NVGRE", "IPRewrite"}},
		{"customer with padded isolation method", with(customer("C"), func(a *AddressSpace) { a.IsolationMethod = " NVGRE" }), []string{"NVGRE", "IPRewrite"}},
		{"type 2", with(provider("P"), func(a *AddressSpace) { a.Type = 2 }), []string{"type 2"}},
		{"type 65535", with(customer("C"), func(a *AddressSpace) { a.Type = 65535 }), []string{"65535"}},
		{"invalid custom configuration", with(provider("P"), func(a *AddressSpace) { a.CustomConfiguration = CustomConfiguration{"a;b": "c"} }), []string{`"a;b"`}},
		{"custom names differing in case", with(customer("C"), func(a *AddressSpace) { a.CustomConfiguration = CustomConfiguration{"Region": "a", "REGION": "b"} }), []string{"case"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := tt.a
			err := a.Validate()
			if err == nil {
				t.Fatalf("Validate() = nil, want an error")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate() = %v (%T), want an *Error", err, err)
			}
			if e.Kind != KindInvalid || e.Code != Win32InvalidParameter {
				t.Errorf("Validate() = %+v, want Kind KindInvalid and Code %d", *e, Win32InvalidParameter)
			}
			if e.Name != a.Name {
				t.Errorf("Validate() error names %q, want %q", e.Name, a.Name)
			}
			if !errors.Is(err, ErrInvalid) || KindOf(err) != KindInvalid {
				t.Errorf("Validate() = %v, does not match ErrInvalid", err)
			}
			if errors.Is(err, ErrNotFound) || errors.Is(err, ErrFailed) {
				t.Errorf("Validate() = %v matches another sentinel", err)
			}
			if strings.HasPrefix(e.Message, ErrInvalid.Error()+":") {
				t.Errorf("Validate() message %q repeats the sentinel text", e.Message)
			}
			for _, part := range tt.wantText {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("Validate() = %q, does not mention %q", err, part)
				}
			}
		})
	}
}

// Validate reads the address space only.
func TestAddressSpaceValidateDoesNotModify(t *testing.T) {
	t.Parallel()
	a := customer("C")
	a.IsolationMethod = "nvgre"
	a.CustomConfiguration = CustomConfiguration{"k": "v"}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if a.IsolationMethod != "nvgre" || len(a.CustomConfiguration) != 1 || a.CustomConfiguration["k"] != "v" {
		t.Errorf("Validate changed the address space: %+v", a)
	}
}
