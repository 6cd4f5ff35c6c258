package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/wql"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// FaultKind is a failure the emulator can inject, for tests and demos of how clients cope.
type FaultKind string

// The injectable faults.
const (
	// FaultUnavailable answers HTTP 503 without acting on the request.
	FaultUnavailable FaultKind = "503"
	// FaultEmpty500 answers HTTP 500 with an empty body, as WinRM does when it refuses
	// unencrypted traffic; the request is not acted on.
	FaultEmpty500 FaultKind = "500-empty"
	// FaultDropBefore closes the connection without acting on the request.
	FaultDropBefore FaultKind = "drop-before"
	// FaultDropAfter acts on the request (and commits it), then closes the connection
	// without answering: the client cannot know the outcome.
	FaultDropAfter FaultKind = "drop-after"
	// FaultSlow waits Delay before acting on the request, e.g. past the client's timeout.
	FaultSlow FaultKind = "slow"
	// FaultQuota answers WinRM's quota fault without acting, in the shape Windows sends it.
	FaultQuota FaultKind = "quota"
)

// FaultRule injects Kind into the next Count requests (0: every request until cleared) whose
// action contains Action (case-insensitive; empty: any), e.g. "BulkAddOrUpdateAddressSpace".
// With Every set, only every Every-th matching request gets the fault (Count then counts those).
type FaultRule struct {
	Kind   FaultKind     `json:"kind"`
	Action string        `json:"action,omitempty"`
	Count  int           `json:"count,omitempty"`
	Every  int           `json:"every,omitempty"`
	Delay  time.Duration `json:"delay,omitempty"`
	// seen counts matching requests, for Every.
	seen int
}

func (r FaultRule) validate() error {
	switch r.Kind {
	case FaultUnavailable, FaultEmpty500, FaultDropBefore, FaultDropAfter, FaultQuota:
	case FaultSlow:
		if r.Delay <= 0 {
			return fmt.Errorf("fault %q needs a positive delay", r.Kind)
		}
	default:
		return fmt.Errorf("unknown fault kind %q", r.Kind)
	}
	if r.Count < 0 {
		return fmt.Errorf("fault count %d is negative", r.Count)
	}
	if r.Every < 0 {
		return fmt.Errorf("fault every %d is negative", r.Every)
	}
	return nil
}

// SetFailItems makes bulk items whose name matches a WQL LIKE pattern fail ("" stops it).
func (s *Server) SetFailItems(pattern string) error {
	match, err := failItemMatcher(pattern)
	if err != nil {
		return err
	}
	s.eng.setFailItem(match)
	return nil
}

// failItemMatcher compiles a -fail-items pattern; nil for "".
func failItemMatcher(pattern string) (func(string) bool, error) {
	if pattern == "" {
		return nil, nil
	}
	quoted, err := wql.QuoteLike(pattern)
	if err != nil {
		return nil, fmt.Errorf("fail-items pattern: %w", err)
	}
	q, err := wql.Parse("SELECT * FROM " + classAddressSp + " WHERE Name LIKE " + quoted)
	if err != nil {
		return nil, fmt.Errorf("fail-items pattern: %w", err)
	}
	return func(name string) bool {
		ok, _ := q.Match(wqlRow{&ipam.AddressSpace{Name: name}})
		return ok
	}, nil
}

// InjectFault adds a fault rule; rules apply in the order they were added.
func (s *Server) InjectFault(r FaultRule) error {
	if err := r.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &r)
	return nil
}

// ClearFaults removes every fault rule.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns the fault to inject into a request with this action, if any.
func (s *Server) takeFault(action string) *FaultRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.faults {
		if r.Action != "" && !strings.Contains(strings.ToLower(action), strings.ToLower(r.Action)) {
			continue
		}
		if r.Every > 1 {
			r.seen++
			if r.seen%r.Every != 0 {
				continue
			}
		}
		f := *r
		if r.Count > 0 {
			r.Count--
			if r.Count == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		return &f
	}
	return nil
}

// dropConnection closes the client's connection without an HTTP response.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // net/http closes the connection without writing a response
}

// bufferedResponse holds a response that a FaultDropAfter will never send.
type bufferedResponse struct {
	header http.Header
	body   bytes.Buffer
	status int
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedResponse) WriteHeader(code int)        { b.status = code }

// quotaFault is WinRM's answer when a user has too many operations in flight, in the shape a real
// server sends (WinRb/WinRM's recorded wmi_error_v2.xml): subcode w:QuotaLimit and an MSFT_WmiError
// with CIM status 27 (server limits exceeded) and the quota HRESULT in error_Code, but no
// f:WSManFault. That recording is of the shells quota (0x803381A5); past
// MaxConcurrentOperationsPerUser the code is ERROR_WSMAN_QUOTA_MAX_OPERATIONS (wsmerror.h).
func quotaFault() *wsman.Fault {
	f := wsman.NewFault(wsman.FaultQuotaLimit, "")
	return f.WithWmiError(&wsman.WmiError{CIMStatusCode: 27, Message: f.Reason, ErrorType: "HRESULT",
		MessageID: fmt.Sprintf("HRESULT 0x%08x", wsman.ErrQuotaMaxOperations), ErrorCode: wsman.ErrQuotaMaxOperations,
		WindowsErrorMessage: f.Reason})
}

// serveAdmin lets a test, a demo or a benchmark drive a running emulator: POST /emulator/faults
// with a FaultRule as JSON adds one, DELETE removes them all, and GET /emulator/stats returns the
// request and byte counters as JSON. It needs the same credentials as /wsman (HTTP Basic).
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || !s.sameUser(user) || !constantTimeEqual(pass, s.cfg.Password) {
		w.Header().Set("WWW-Authenticate", `Basic realm="IPAM emulator"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.URL.Path == "/emulator/stats" {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", "GET")
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int64{"requests": s.Requests(), "bytes_received": s.BytesReceived()})
		return
	}
	switch r.Method {
	case http.MethodPost:
		var rule FaultRule
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rule); err != nil {
			http.Error(w, "fault rule: "+err.Error(), http.StatusBadRequest)
			return
		}
		if err := s.InjectFault(rule); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodDelete:
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "POST, DELETE")
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}
