package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// trimKind drops the "invalid: " a sentinel-wrapped error starts with.
func trimKind(err error) string {
	msg := err.Error()
	for _, s := range []error{ipam.ErrInvalid, ipam.ErrNotFound, ipam.ErrAlreadyExists, ipam.ErrInUse, ipam.ErrAccessDenied} {
		msg = strings.TrimPrefix(msg, s.Error()+": ")
	}
	return msg
}

// errorDiagnostic turns a failed IPAM call into a diagnostic with a short summary and a detail that
// says what to do.
func errorDiagnostic(action, resourceType, name string, err error) diag.Diagnostic {
	summary := fmt.Sprintf("Cannot %s address space %q", action, name)
	detail := trimKind(err)
	bulk := resourceType == bulkTypeName
	switch ipam.KindOf(err) {
	case ipam.KindAlreadyExists:
		switch {
		case action == "create" && !bulk:
			detail += fmt.Sprintf("\n\nThe address space already exists in IPAM. To manage it with Terraform, import it:\n"+
				"  terraform import %s.<name> %q\nor add an import block:\n  import {\n    to = %s.<name>\n    id = %q\n  }",
				resourceType, name, resourceType, name)
		case action == "update":
			detail += "\n\nAnother address space already has this name (IPAM compares names ignoring case): choose another " +
				"name, or rename or remove the other address space first."
		}
	case ipam.KindInUse:
		detail += "\n\nIPAM refuses to delete an address space that other objects still use: remove or move its customer " +
			"address spaces, subnets, ranges and blocks first."
	case ipam.KindAccessDenied:
		detail += "\n\nThe account needs to be in an IPAM group that may manage address spaces (IPAM Administrators or IPAM ASM Administrators)."
	case ipam.KindNotFound:
		switch {
		case action == "update" && resourceType == "ipam_provider_address_space":
			detail += "\n\nThe address space was deleted outside Terraform; the next plan will re-create it."
		case action == "update" && resourceType == "ipam_customer_address_space":
			detail += "\n\nEither the address space was deleted outside Terraform (the next plan will re-create it), " +
				"or the provider address space it names does not exist."
		case action == "create" || bulk:
			detail += "\n\nCheck that the provider address space it names exists."
		}
	}
	var ie *ipam.Error
	if !errors.As(err, &ie) && action != "read" && !refusedBeforeActing(err) {
		detail += "\n\nThe outcome may be unknown; run terraform plan to see what IPAM holds now."
	}
	return diag.NewErrorDiagnostic(summary, detail)
}
