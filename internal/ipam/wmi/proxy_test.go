package wmi_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam/wmi"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// interceptor sees each request before the emulator does, and answers it itself (possibly after
// passing it to emu) by returning true. env is nil for a body that is not an envelope.
type interceptor func(w http.ResponseWriter, r *http.Request, body []byte, env *wsman.Envelope, emu *emulator.Server) bool

// proxy is an emulator behind a handler that records and may answer requests itself, as
// internal/wsman's startServer (helpers_test.go) wraps the emulator.
type proxy struct {
	emu *emulator.Server
	URL string
	mu  sync.Mutex
	// requests are the envelopes received, in order.
	requests []*wsman.Envelope
}

func startProxy(t *testing.T, cfg emulator.Config, intercept interceptor) *proxy {
	t.Helper()
	cfg.Username, cfg.Password = user, pass
	cfg.CustomFields = append(cfg.CustomFields, "Region", "CostCenter")
	emu, err := emulator.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{emu: emu}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		env, err := wsman.Parse(body)
		if err != nil {
			env = nil
		}
		p.mu.Lock()
		p.requests = append(p.requests, env)
		p.mu.Unlock()
		if intercept != nil && intercept(w, r, body, env, emu) {
			return
		}
		emu.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		hs.Close()
		emu.Close()
	})
	p.URL = hs.URL + "/wsman"
	return p
}

// actions returns the short action of every request received, "?" for a body that did not parse.
func (p *proxy) actions() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, len(p.requests))
	for i, env := range p.requests {
		out[i] = "?"
		if env != nil {
			out[i] = shortAction(env.Header.Action)
		}
	}
	return out
}

func shortAction(a string) string {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] == '/' {
			return a[i+1:]
		}
	}
	return a
}

// client connects a wmi.Client to the proxy, with Basic auth and fast retries.
func (p *proxy) client(t *testing.T, mod func(*wsman.Config)) *wmi.Client {
	t.Helper()
	return wmi.New(rawClient(t, p.URL, mod))
}

// startProxyClient starts a proxy (see startProxy) and connects a client to it.
func startProxyClient(t *testing.T, cfg emulator.Config, intercept interceptor) (*proxy, *wmi.Client) {
	t.Helper()
	p := startProxy(t, cfg, intercept)
	return p, p.client(t, nil)
}

func rawClient(t *testing.T, url string, mod func(*wsman.Config)) *wsman.Client {
	t.Helper()
	wc := wsman.Config{Endpoint: url, Username: user, Password: pass, Auth: wsman.AuthBasic, Timeout: 60 * time.Second,
		Retry: &wsman.RetryPolicy{Attempts: 3, Base: time.Millisecond, Max: 5 * time.Millisecond}}
	if mod != nil {
		mod(&wc)
	}
	ws, err := wsman.NewClient(wc)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// respond writes a WS-Management response as a server would.
func respond(t *testing.T, w http.ResponseWriter, req *wsman.Envelope, action string, body wsman.Body) {
	t.Helper()
	out, err := wsman.Marshal(wsman.Header{To: wsman.AddressAnonymous, Action: action, MessageID: "uuid:00000000-0000-4000-8000-000000000001",
		RelatesTo: req.Header.MessageID}, body)
	if err != nil {
		t.Error(err)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", wsman.ContentType)
	_, _ = w.Write(out)
}
