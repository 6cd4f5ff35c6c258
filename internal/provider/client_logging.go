package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// subsystemIPAM is the tflog subsystem of IPAM calls: TF_LOG_PROVIDER_IPAM_IPAM=debug (or
// TF_LOG_PROVIDER_IPAM=debug) shows one line per call, with its duration and result; the
// WS-Management requests behind it are in the "wsman" subsystem.
const subsystemIPAM = "ipam"

// loggedClient logs every IPAM call of the client it wraps, and puts the provider's advice on the
// failures below IPAM that it returns (advice.go).
type loggedClient struct {
	next ipam.Client
}

var _ ipam.Client = loggedClient{}

// logCall logs a call and returns its error with the provider's advice.
func logCall(ctx context.Context, method string, start time.Time, fields map[string]any, err error) error {
	ctx = tflog.NewSubsystem(ctx, subsystemIPAM, tflog.WithLevelFromEnv("TF_LOG_PROVIDER_IPAM", subsystemIPAM))
	fields["method"] = method
	fields["duration_ms"] = time.Since(start).Milliseconds()
	if err != nil {
		fields["error"] = err.Error()
		tflog.SubsystemDebug(ctx, subsystemIPAM, "IPAM call failed", fields)
		return withAdvice(err)
	}
	tflog.SubsystemDebug(ctx, subsystemIPAM, "IPAM call", fields)
	return nil
}

func failedItems(results []error) int {
	n := 0
	for _, e := range results {
		if e != nil {
			n++
		}
	}
	return n
}

func (c loggedClient) AddProviderAddressSpace(ctx context.Context, a ipam.AddressSpace) (*ipam.AddressSpace, error) {
	start := time.Now()
	out, err := c.next.AddProviderAddressSpace(ctx, a)
	err = logCall(ctx, "AddProviderAddressSpace", start, map[string]any{"name": a.Name}, err)
	return out, err
}

func (c loggedClient) AddCustomerAddressSpace(ctx context.Context, a ipam.AddressSpace) (*ipam.AddressSpace, error) {
	start := time.Now()
	out, err := c.next.AddCustomerAddressSpace(ctx, a)
	err = logCall(ctx, "AddCustomerAddressSpace", start, map[string]any{"name": a.Name}, err)
	return out, err
}

func (c loggedClient) BulkAddOrUpdate(ctx context.Context, items []ipam.AddressSpace) ([]error, error) {
	start := time.Now()
	results, err := c.next.BulkAddOrUpdate(ctx, items)
	err = logCall(ctx, "BulkAddOrUpdateAddressSpace", start, map[string]any{"items": len(items), "failed_items": failedItems(results)}, err)
	return withAdviceEach(results), err
}

func (c loggedClient) BulkDelete(ctx context.Context, items []ipam.AddressSpace) ([]error, error) {
	start := time.Now()
	results, err := c.next.BulkDelete(ctx, items)
	err = logCall(ctx, "BulkDeleteAddressSpace", start, map[string]any{"items": len(items), "failed_items": failedItems(results)}, err)
	return withAdviceEach(results), err
}

func (c loggedClient) Get(ctx context.Context, instanceID string) (*ipam.AddressSpace, error) {
	start := time.Now()
	out, err := c.next.Get(ctx, instanceID)
	err = logCall(ctx, "Get", start, map[string]any{"instance_id": instanceID}, err)
	return out, err
}

func (c loggedClient) GetByName(ctx context.Context, name string) (*ipam.AddressSpace, error) {
	start := time.Now()
	out, err := c.next.GetByName(ctx, name)
	err = logCall(ctx, "GetByName", start, map[string]any{"name": name}, err)
	return out, err
}

func (c loggedClient) List(ctx context.Context, f ipam.Filter) ([]ipam.AddressSpace, error) {
	start := time.Now()
	out, err := c.next.List(ctx, f)
	err = logCall(ctx, "List", start, map[string]any{"results": len(out)}, err)
	return out, err
}
