package provider

import (
	"math"
	"os"
	"runtime/debug"
)

// defaultMemoryLimit is the provider's soft memory limit unless GOMEMLIMIT says otherwise. A plan
// of a 10,000-key ipam_address_spaces holds several copies of the map at once, and Go's default
// (collect when the heap doubles) let the process grow to twice what it used; near this limit the
// collector runs sooner instead. make bench at 10,000 keys: peak RSS 162-175 MiB with a 160 MiB
// limit against 176-239 MiB without, for about 8% more provider CPU.
const defaultMemoryLimit = 192 << 20

// defaultGCPercent is the provider's GOGC unless GOGC says otherwise. Under the memory limit above
// the heap may grow to five times what is live instead of two: a create of a 1,000-key
// ipam_address_spaces spent a sixth of its provider CPU collecting, and with 400 it used 517 ms
// of provider CPU instead of 593 (median of five runs each) for a peak RSS of 83 MiB instead of
// 48. Large maps are bounded by the limit either way; without a limit (GOMEMLIMIT=off) Go's
// default stays.
const defaultGCPercent = 400

// DefaultMemoryLimit sets defaultMemoryLimit when GOMEMLIMIT is unset, and defaultGCPercent when
// GOGC is unset and a memory limit applies. GOMEMLIMIT=off removes the limit; a larger value suits maps far beyond 10,000
// keys, whose live data alone nears the limit and would make the collector run often.
func DefaultMemoryLimit() {
	if _, ok := os.LookupEnv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	if _, ok := os.LookupEnv("GOGC"); !ok && debug.SetMemoryLimit(-1) < math.MaxInt64 {
		debug.SetGCPercent(defaultGCPercent)
	}
}
