package provider

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// The defaults apply only where the environment does not decide, and GOGC stays Go's own when
// GOMEMLIMIT=off removes the limit that bounds it. Each case runs in a child process, since the
// settings are process-wide.
func TestDefaultMemoryLimit(t *testing.T) {
	if os.Getenv("IPAM_MEMORY_CHILD") == "1" {
		DefaultMemoryLimit()
		limit := debug.SetMemoryLimit(-1)
		gc := debug.SetGCPercent(100)
		os.Stdout.WriteString(strconv.FormatInt(limit, 10) + " " + strconv.FormatInt(int64(gc), 10) + "\n")
		return
	}
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{nil, strconv.FormatInt(defaultMemoryLimit, 10) + " 400"},
		{[]string{"GOGC=50"}, strconv.FormatInt(defaultMemoryLimit, 10) + " 50"},
		{[]string{"GOMEMLIMIT=512MiB"}, strconv.FormatInt(512<<20, 10) + " 400"},
		{[]string{"GOMEMLIMIT=off"}, "9223372036854775807 100"},
	} {
		cmd := childTest("TestDefaultMemoryLimit", []string{"GOGC=", "GOMEMLIMIT="}, append(tc.env, "IPAM_MEMORY_CHILD=1")...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %v", tc.env, err)
		}
		if got := strings.Fields(string(out)); len(got) < 2 || strings.Join(got[:2], " ") != tc.want {
			t.Errorf("%v: limit and GOGC %q, want %q", tc.env, out, tc.want)
		}
	}
}
