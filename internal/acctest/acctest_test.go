package acctest

import "testing"

func TestProviderBlock(t *testing.T) {
	got := ProviderBlock("http://127.0.0.1:5985/wsman", `timeout = "2s"`, "kerberos {\n  spn = \"HTTP/x\"\n}")
	want := `
provider "ipam" {
  endpoint = "http://127.0.0.1:5985/wsman"
  username = "CORP\\admin"
  password = "acc-Pa55!"
  timeout = "2s"
  kerberos {
    spn = "HTTP/x"
  }
}
`
	if got != want {
		t.Errorf("ProviderBlock:\n%s\nwant:\n%s", got, want)
	}
	if !ErrorText(`Cannot create address space "x"`).MatchString("Error: Cannot create\n│ address   space \"x\"") {
		t.Error("ErrorText does not match across a diagnostic's line break")
	}
}

// The emulator's log lines as RequestLog reads them: the action, and the requests in flight at once.
func TestRequestLog(t *testing.T) {
	var l RequestLog
	for _, line := range []string{
		"127.0.0.1:1 POST Enumerate 200 900B 1h",
		"127.0.0.1:2 POST fault-quota 500 400B 1h",
		"127.0.0.1:3 POST Enumerate 200 900B 1ms",
		"a line that is not a request",
	} {
		if _, err := l.Write([]byte(line + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	byAction, peak := l.Stats()
	if byAction["Enumerate"] != 2 || byAction["fault-quota"] != 1 || peak != 3 {
		t.Errorf("Stats() = %v, %d; want 2 Enumerate, 1 fault-quota, 3 in flight at once", byAction, peak)
	}
	if n := l.Count(" fault-quota "); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
	l.Reset()
	if n := l.Count("POST"); n != 0 {
		t.Errorf("after Reset, Count = %d", n)
	}
}
