package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/emulator/emutest"
)

// emulator is the IPAM emulator process the provider cases talk to.
type emulator struct {
	cmd     *exec.Cmd
	conn    emulatorConn
	logPath string
	done    chan error

	stopOnce sync.Once
	stopErr  error
}

// startEmulator runs `terraform-provider-ipam emulator` on a free loopback port with its database
// in dir, and waits for its ready line.
func startEmulator(bin, dir string, latency time.Duration, username, password string) (*emulator, error) {
	logPath := dir + "/emulator.log"
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child holds its own descriptor
	cmd := exec.Command(bin, "emulator", "-listen", "127.0.0.1:0", "-db", dir+"/ipam.db",
		"-username", username, "-latency", latency.String(), "-custom-field", "Region")
	// The password goes in the environment, not the command line, where ps shows it.
	cmd.Env = append(os.Environ(), "IPAM_EMULATOR_PASSWORD="+password)
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	e := &emulator{cmd: cmd, logPath: logPath, done: make(chan error, 1),
		conn: emulatorConn{username: username, password: password}}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if r, ok := emutest.ParseReady(sc.Text()); ok {
				ready <- r.URL
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		e.done <- cmd.Wait()
	}()
	select {
	case e.conn.endpoint = <-ready:
		return e, nil
	case err := <-e.done:
		return nil, fmt.Errorf("the emulator exited before it was ready (%v); see %s", err, logPath)
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		err := <-e.done
		return nil, fmt.Errorf("the emulator printed no ready line within 30s (killed: %v); see %s", err, logPath)
	}
}

// stop sends SIGTERM and waits for a clean exit. Calls after the first return its result.
func (e *emulator) stop() error {
	if e == nil {
		return nil
	}
	e.stopOnce.Do(func() {
		_ = e.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-e.done:
			if err != nil {
				e.stopErr = fmt.Errorf("the emulator did not stop cleanly: %v", err)
			}
		case <-time.After(30 * time.Second):
			_ = e.cmd.Process.Kill()
			err := <-e.done
			e.stopErr = fmt.Errorf("the emulator did not stop within 30s of SIGTERM; killed (%v)", err)
		}
	})
	return e.stopErr
}

type emulatorStats struct {
	Requests      int64 `json:"requests"`
	BytesReceived int64 `json:"bytes_received"`
}

// stats reads GET /emulator/stats. The request counter includes that GET itself.
func (e *emulator) stats(ctx context.Context) (emulatorStats, error) {
	var s emulatorStats
	u := strings.TrimSuffix(e.conn.endpoint, "/wsman") + "/emulator/stats"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return s, err
	}
	req.SetBasicAuth(e.conn.username, e.conn.password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return s, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

// logSize is where the emulator's request log ends now.
func (e *emulator) logSize() int64 {
	fi, err := os.Stat(e.logPath)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// callCounts tallies the request log from offset on: requests by action (the emulator writes
// "date time remote method action status sizeB duration" per request), NTLM logins, non-2xx
// answers, and the bytes of the responses.
type callCounts struct {
	byAction map[string]int
	order    []string
	// logins counts NTLM logins: each is two requests on one connection, the negotiate answered
	// 401 with the challenge ("unauthorized") and the authenticate answered 200 ("login"). They
	// are part of the cost of sealing, so they count as requests, but not as errors.
	logins        int
	errors        int
	bytesReturned int64
}

// ntlmLoginAction is how callCounts names a challenge and login pair.
const ntlmLoginAction = "NTLM login"

func (e *emulator) calls(offset int64) callCounts {
	f, err := os.Open(e.logPath)
	if err != nil {
		return callCounts{byAction: map[string]int{}}
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return callCounts{byAction: map[string]int{}}
	}
	return countCalls(f)
}

// countCalls reads emulator log lines. A 401 is taken for an NTLM challenge only when a login
// follows on the same connection (remote address); a refused login stays a 401 and an error.
func countCalls(r io.Reader) callCounts {
	c := callCounts{byAction: map[string]int{}}
	add := func(action string, n int) {
		if _, ok := c.byAction[action]; !ok {
			c.order = append(c.order, action)
		}
		c.byAction[action] += n
	}
	challenged := map[string]int{} // 401s on a connection not yet followed by a login
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 8 {
			continue
		}
		remote, action, status := fields[2], fields[4], fields[5]
		if action == "admin" {
			continue // the bench's own GET /emulator/stats
		}
		if n, err := strconv.ParseInt(strings.TrimSuffix(fields[6], "B"), 10, 64); err == nil {
			c.bytesReturned += n
		}
		switch {
		case action == "unauthorized" && status == "401":
			challenged[remote]++
			add(action, 1)
			c.errors++
			continue
		case action == "login" && status == "200" && challenged[remote] > 0:
			challenged[remote]--
			c.byAction["unauthorized"]--
			c.errors--
			c.logins++
			add(ntlmLoginAction, 2)
			continue
		}
		add(action, 1)
		if !strings.HasPrefix(status, "2") {
			c.errors++
		}
	}
	return c
}

var shortNames = map[string]string{
	"BulkAddOrUpdateAddressSpace": "BulkAddOrUpdate",
	"BulkDeleteAddressSpace":      "BulkDelete",
	"AddProviderAddressSpace":     "AddPA",
	"AddCustomerAddressSpace":     "AddCA",
}

func (c callCounts) String() string {
	var parts []string
	for _, a := range c.order {
		n := c.byAction[a]
		switch {
		case n == 0:
			continue // only 401s that turned out to be NTLM challenges
		case a == ntlmLoginAction:
			parts = append(parts, fmt.Sprintf("%s %d×2", a, c.logins)) // logins × requests each
			continue
		}
		name := a
		if s, ok := shortNames[a]; ok {
			name = s
		}
		parts = append(parts, fmt.Sprintf("%s %d", name, n))
	}
	if c.errors > 0 {
		parts = append(parts, fmt.Sprintf("(%d not 2xx)", c.errors))
	}
	return strings.Join(parts, ", ")
}
