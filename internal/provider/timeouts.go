package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// timeoutGetter is one of timeouts.Value's Create, Read, Update or Delete.
type timeoutGetter func(context.Context, time.Duration) (time.Duration, diag.Diagnostics)

// withTimeout bounds an operation by its configured timeout, or by def when none is set.
func withTimeout(ctx context.Context, get timeoutGetter, def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	d, dd := get(ctx, def)
	diags.Append(dd...)
	return context.WithTimeout(ctx, d)
}
