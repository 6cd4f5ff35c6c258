package provider

import (
	"context"
	"os"
	"strings"

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

// The plugin SDK's own log level (TF_LOG_SDK) and this provider's (terraform-plugin-go names the
// variable after the provider type). Both default to trace when unset.
const (
	envSDKLog      = "TF_LOG_SDK"
	envProviderLog = "TF_LOG_PROVIDER_IPAM"
)

// FollowTerraformLogLevel sets the SDK's and the provider's log levels, where the environment does
// not, to the level at which Terraform shows provider lines: TF_LOG_PROVIDER, else TF_LOG; none when
// unset or off, the usual case. Otherwise the SDK writes every line at trace to stderr for Terraform
// to parse and drop: a 1,000-key apply wrote megabytes of WS-Management bodies as JSON, and at debug
// Terraform printed the bodies as fragments, their lines too long to parse. Trace, JSON and values
// Terraform does not know (which it reads as trace) change nothing. Not for -debug, where the
// provider's own stderr is where its lines go.
func FollowTerraformLogLevel() {
	level := strings.ToUpper(os.Getenv("TF_LOG_PROVIDER"))
	if level == "" {
		level = strings.ToUpper(os.Getenv("TF_LOG"))
	}
	switch level {
	case "", "OFF":
		level = "off"
	case "DEBUG", "INFO", "WARN", "ERROR":
	default:
		return
	}
	for _, env := range []string{envSDKLog, envProviderLog} {
		if _, ok := os.LookupEnv(env); !ok {
			_ = os.Setenv(env, level)
		}
	}
}
