package provider

import (
	"context"
	"os"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// subsystemWSMan is the tflog subsystem of the WS-Management transport:
// TF_LOG_PROVIDER_IPAM_WSMAN=debug shows one line per call.
const subsystemWSMan = "wsman"

// tfLogger sends the WS-Management client's lines to tflog. The client never puts credentials in
// fields and masks the password in bodies.
type tfLogger struct{}

func (tfLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	ctx = tflog.NewSubsystem(ctx, subsystemWSMan, tflog.WithLevelFromEnv("TF_LOG_PROVIDER_IPAM", subsystemWSMan))
	tflog.SubsystemDebug(ctx, subsystemWSMan, msg, fields)
}

func (tfLogger) Trace(ctx context.Context, msg string, fields map[string]any) {
	ctx = tflog.NewSubsystem(ctx, subsystemWSMan, tflog.WithLevelFromEnv("TF_LOG_PROVIDER_IPAM", subsystemWSMan))
	tflog.SubsystemTrace(ctx, subsystemWSMan, msg, fields)
}

// envFrameworkLog sets the level of terraform-plugin-framework's own log lines.
const envFrameworkLog = "TF_LOG_SDK_FRAMEWORK"

// QuietFrameworkTrace turns terraform-plugin-framework's own trace lines off unless
// TF_LOG_SDK_FRAMEWORK asks for them. The framework traces every attribute it visits while it walks
// a plan, and each trace looks its logger up through a context chain that grows with every
// attribute visited, so a plan of an ipam_address_spaces with thousands of keys took time
// quadratic in its size. Provider lines (TF_LOG_PROVIDER_IPAM) are not affected.
func QuietFrameworkTrace() {
	if _, ok := os.LookupEnv(envFrameworkLog); !ok {
		_ = os.Setenv(envFrameworkLog, "off")
	}
}
