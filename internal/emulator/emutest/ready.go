// Package emutest runs the emulator command in tests and tools: it builds terraform-provider-ipam,
// starts "terraform-provider-ipam emulator", waits for the machine-readable line the emulator
// prints on its standard output when it is ready, and stops or kills it. ParseReady is the one Go
// reader of that line (the tests' and the benchmark's); the example scripts pick the URL out of it
// with sed. Nothing reads the line for people printed before it.
package emutest

import (
	"encoding/json"
	"net/url"
	"strings"
)

// Ready is what the emulator's ready line says: one JSON object on a line of its own,
//
//	{"ipam_emulator":"ready","url":"http://127.0.0.1:5985/wsman","database":"ipam.db"}
//
// printed on standard output after "IPAM emulator listening on URL (database PATH)".
type Ready struct {
	// URL is the WS-Management endpoint, http(s)://ADDR/wsman.
	URL string `json:"url"`
	// Database is the -db the emulator serves (":memory:" or a file name as given).
	Database string `json:"database"`
}

// ParseReady reads one line of the emulator's standard output: ok when it is the ready line.
func ParseReady(line string) (Ready, bool) {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "{") {
		return Ready{}, false
	}
	var v struct {
		Event string `json:"ipam_emulator"`
		Ready
	}
	if err := json.Unmarshal([]byte(line), &v); err != nil || v.Event != "ready" || v.URL == "" {
		return Ready{}, false
	}
	return v.Ready, true
}

// Port is the TCP port of URL.
func (r Ready) Port() string {
	u, err := url.Parse(r.URL)
	if err != nil {
		return ""
	}
	return u.Port()
}
