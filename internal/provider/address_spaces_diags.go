package provider

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// maxItemDiagnostics bounds the per-key diagnostics of one operation: Terraform renders each with
// a piece of the configuration, and thousands of them take minutes to print.
const maxItemDiagnostics = 20

// addItemErrors reports failed items: one diagnostic per key for what IPAM refused item by item,
// up to maxItemDiagnostics, and one for the keys of calls that failed as a whole (no answer,
// cancelled, refused), whose outcome is the same for all of them.
func addItemErrors(diags *diagnostics, action string, errs map[string]error) {
	var itemNames, callNames []string
	for _, name := range sortedKeys(errs) {
		var ie *ipam.Error
		if errors.As(errs[name], &ie) {
			itemNames = append(itemNames, name)
		} else {
			callNames = append(callNames, name)
		}
	}
	for i, name := range itemNames {
		if i == maxItemDiagnostics {
			rest := itemNames[i:]
			diags.add(fmt.Sprintf("%d more address spaces failed", len(rest)),
				fmt.Sprintf("IPAM refused these too (the first: %s): %s", trimKind(errs[rest[0]]), listNames(rest)), nil)
			break
		}
		d := errorDiagnostic(action, "ipam_address_spaces", name, errs[name])
		diags.add(d.Summary(), d.Detail(), itemPath(name))
	}
	if len(callNames) == 0 {
		return
	}
	if len(callNames) == 1 {
		d := errorDiagnostic(action, "ipam_address_spaces", callNames[0], errs[callNames[0]])
		diags.add(d.Summary(), d.Detail(), itemPath(callNames[0]))
		return
	}
	// The call that failed says why; the items after it were not sent.
	cause := errs[callNames[0]]
	for _, name := range callNames {
		if !errors.Is(errs[name], ipam.ErrNotSent) {
			cause = errs[name]
			break
		}
	}
	diags.add(fmt.Sprintf("Cannot %s %d address spaces", action, len(callNames)),
		fmt.Sprintf("%s\n\nAddress spaces concerned: %s\n\nThe outcome may be unknown for some of them; run terraform plan "+
			"to see what IPAM holds now (an apply adopts what was created).", trimKind(cause), listNames(callNames)), nil)
}

// listNames quotes up to ten names and counts the rest.
func listNames(names []string) string {
	const shown = 10
	q := quoteAll(names[:min(len(names), shown)])
	if len(names) > shown {
		q = append(q, fmt.Sprintf("and %d more", len(names)-shown))
	}
	return strings.Join(q, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
