package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// subsystemWSMan is the tflog subsystem of the WS-Management transport:
// TF_LOG_PROVIDER_IPAM_WSMAN=debug shows one line per call.
const subsystemWSMan = "wsman"

// tfLogger sends the WS-Management client's lines to tflog. The client never puts credentials in
// fields and masks the password in bodies.
type tfLogger struct{}

func (tfLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	ctx = tflog.NewSubsystem(ctx, subsystemWSMan)
	tflog.SubsystemDebug(ctx, subsystemWSMan, msg, fields)
}

func (tfLogger) Trace(ctx context.Context, msg string, fields map[string]any) {
	ctx = tflog.NewSubsystem(ctx, subsystemWSMan)
	tflog.SubsystemTrace(ctx, subsystemWSMan, msg, fields)
}
