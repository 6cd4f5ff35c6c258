package emutest

import "testing"

func TestParseReady(t *testing.T) {
	t.Parallel()
	ready := map[string]Ready{
		`{"ipam_emulator":"ready","url":"http://127.0.0.1:5985/wsman","database":"ipam.db"}`:                     {URL: "http://127.0.0.1:5985/wsman", Database: "ipam.db"},
		`{"ipam_emulator":"ready","url":"https://127.0.0.1:40123/wsman","database":":memory:"}` + "\r\n":         {URL: "https://127.0.0.1:40123/wsman", Database: ":memory:"},
		`{"ipam_emulator":"ready","url":"http://127.0.0.1:1/wsman","database":"/tmp/a b/<ipam>&.db"}`:            {URL: "http://127.0.0.1:1/wsman", Database: "/tmp/a b/<ipam>&.db"},
		`{"ipam_emulator":"ready","url":"http://127.0.0.1:1/wsman","database":"ipam.db","tls":true,"version":2}`: {URL: "http://127.0.0.1:1/wsman", Database: "ipam.db"},
	}
	for line, want := range ready {
		if got, ok := ParseReady(line); !ok || got != want {
			t.Errorf("ParseReady(%q) = %+v, %v; want %+v", line, got, ok, want)
		}
	}
	for _, line := range []string{
		// The line for people is not the ready line.
		`IPAM emulator listening on http://127.0.0.1:5985/wsman (database ipam.db)`,
		`IPAM emulator stopped`,
		`{"ipam_emulator":"stopped","url":"http://127.0.0.1:5985/wsman"}`,
		`{"ipam_emulator":"ready","database":"ipam.db"}`,
		`{"ipam_emulator":"ready","url":`,
		``,
	} {
		if got, ok := ParseReady(line); ok {
			t.Errorf("ParseReady(%q) = %+v: not a ready line", line, got)
		}
	}
	if p := (Ready{URL: "http://127.0.0.1:40123/wsman"}).Port(); p != "40123" {
		t.Errorf("Port() = %q, want 40123", p)
	}
}
