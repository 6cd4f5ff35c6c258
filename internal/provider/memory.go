package provider

import (
	"os"
	"runtime/debug"
)

// defaultMemoryLimit is the provider's soft memory limit unless GOMEMLIMIT says otherwise. A plan
// of a 10,000-key ipam_address_spaces holds several copies of the map at once, and Go's default
// (collect when the heap doubles) let the process grow to twice what it used; near this limit the
// collector runs sooner instead. make bench at 10,000 keys: peak RSS 162-175 MiB with a 160 MiB
// limit against 176-239 MiB without, for about 8% more provider CPU.
const defaultMemoryLimit = 192 << 20

// DefaultMemoryLimit sets defaultMemoryLimit when GOMEMLIMIT is unset. GOMEMLIMIT=off removes the
// limit; a larger value suits maps far beyond 10,000 keys, whose live data alone nears the limit
// and would make the collector run often.
func DefaultMemoryLimit() {
	if _, ok := os.LookupEnv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}
