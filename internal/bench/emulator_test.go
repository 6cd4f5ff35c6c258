package main

import (
	"strings"
	"testing"
)

func TestCountCalls(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		log          string
		want         string
		logins, errs int
		bytes        int64
	}{{
		name: "plain",
		log: `2026/12/06 22:49:02.469182 127.0.0.1:43970 POST Enumerate 200 1564B 20.831ms
2026/12/06 22:49:02.500000 127.0.0.1:43971 GET admin 200 40B 12µs
2026/12/06 22:49:02.659337 127.0.0.1:43970 POST BulkAddOrUpdateAddressSpace 200 1218B 21.799ms
`,
		want: "Enumerate 1, BulkAddOrUpdate 1", bytes: 1564 + 1218,
	}, {
		name: "sealed, two connections",
		log: `2026/12/06 22:49:03.478597 127.0.0.1:44000 POST unauthorized 401 0B 33µs
2026/12/06 22:49:03.478835 127.0.0.1:44000 POST login 200 0B 35µs
2026/12/06 22:49:03.499870 127.0.0.1:44000 POST Enumerate 200 985B 20.935ms
2026/12/06 22:49:03.500000 127.0.0.1:44002 POST unauthorized 401 0B 33µs
2026/12/06 22:49:03.500100 127.0.0.1:44002 POST login 200 0B 35µs
2026/12/06 22:49:03.543085 127.0.0.1:44002 POST BulkDeleteAddressSpace 200 1478B 21.267ms
`,
		want: "NTLM login 2×2, Enumerate 1, BulkDelete 1", logins: 2, bytes: 985 + 1478,
	}, {
		name: "a refused login stays an error",
		log: `2026/12/06 22:49:03.478597 127.0.0.1:44000 POST unauthorized 401 0B 33µs
2026/12/06 22:49:03.478835 127.0.0.1:44001 POST unauthorized 401 0B 35µs
2026/12/06 22:49:03.478900 127.0.0.1:44001 POST login 200 0B 35µs
2026/12/06 22:49:03.499870 127.0.0.1:44001 POST Enumerate 500 985B 20.935ms
`,
		want: "unauthorized 1, NTLM login 1×2, Enumerate 1, (2 not 2xx)", logins: 1, errs: 2, bytes: 985,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := countCalls(strings.NewReader(tc.log))
			if got := c.String(); got != tc.want {
				t.Errorf("calls %q, want %q", got, tc.want)
			}
			if c.logins != tc.logins || c.errors != tc.errs || c.bytesReturned != tc.bytes {
				t.Errorf("logins %d, errors %d, bytes %d; want %d, %d, %d", c.logins, c.errors, c.bytesReturned, tc.logins, tc.errs, tc.bytes)
			}
		})
	}
}

func TestAuthProblem(t *testing.T) {
	t.Parallel()
	step := func(requests int64, logins int) stepResult {
		return stepResult{ran: true, requests: requests, calls: callCounts{logins: logins}}
	}
	for _, tc := range []struct {
		kind    caseKind
		step    stepResult
		problem bool
	}{
		{kindBulkSealed, step(7, 1), false},
		{kindBulkSealed, step(5, 0), true},
		{kindBulkSealed, step(0, 0), false}, // a command that sent nothing logged in to nothing
		{kindBulk, step(5, 0), false},
		{kindBulk, step(7, 1), true},
		{kindForEach, step(7, 1), true},
		{kindBulkFloor, step(0, 0), false},
	} {
		if got := authProblem(tc.kind, tc.step); (got != "") != tc.problem {
			t.Errorf("%s, %d requests, %d logins: problem %q", tc.kind.id(), tc.step.requests, tc.step.calls.logins, got)
		}
	}
}
