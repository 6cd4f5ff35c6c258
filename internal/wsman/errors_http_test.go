package wsman_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/failure"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

func TestHTTPErrorClasses(t *testing.T) {
	t.Parallel()
	soap := func(status int, body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}
	}
	raw := func(status int, contentType string, body string, headers ...string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			for i := 0; i+1 < len(headers); i += 2 {
				w.Header().Add(headers[i], headers[i+1])
			}
			if contentType != "" {
				w.Header().Set("Content-Type", contentType)
			}
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	cases := []struct {
		name        string
		handler     http.HandlerFunc
		auth        string
		maxResponse int64
		idempotent  bool
		check       func(t *testing.T, err error)
		wantMsg     []string
		wantReqs    int64
		// tagName: the message names an element as <name> (the codec's wording, envelope.go);
		// only the body's content must stay out of it.
		tagName bool
	}{
		{name: "401 basic not offered", auth: "basic", handler: raw(401, "", "", "WWW-Authenticate", "Negotiate", "WWW-Authenticate", "Kerberos"),
			check: func(t *testing.T, err error) {
				wantStatus(t, err, 401)
				if f := wantKind(t, err, failure.KindCredentialsRefused); f.Auth != "basic" || f.OffersScheme("Basic") || !f.OffersScheme("Kerberos") {
					t.Errorf("facts %+v", f)
				}
			},
			wantMsg: []string{"HTTP 401 Unauthorized", "the server offers Negotiate, Kerberos"}},
		{name: "401 no scheme", auth: "basic", handler: raw(401, "", ""),
			check: func(t *testing.T, err error) { wantStatus(t, err, 401) }, wantMsg: []string{"no authentication scheme"}},
		{name: "404", handler: raw(404, "text/html", "<html><body>Not Found</body></html>"),
			check: func(t *testing.T, err error) { wantStatus(t, err, 404); wantKind(t, err, failure.KindWrongPath) }, wantMsg: []string{"HTTP 404", "/wsman"}},
		{name: "415", handler: raw(415, "", ""),
			check: func(t *testing.T, err error) { wantStatus(t, err, 415); wantKind(t, err, failure.KindNotWinRM) }, wantMsg: []string{"HTTP 415", "application/soap+xml"}},
		{name: "500 empty", handler: raw(500, "", ""), idempotent: true,
			check: func(t *testing.T, err error) {
				if he := asHTTP(t, err); he.Status != 500 || !he.EmptyBody {
					t.Errorf("got %+v", he)
				}
				wantKind(t, err, failure.KindUnencryptedRefused)
			},
			wantMsg: []string{"HTTP 500", "empty body", "refuses unencrypted traffic", "AllowUnencrypted"}, wantReqs: 1},
		{name: "500 html", handler: raw(500, "text/html", "<html><body><h1>Runtime Error</h1></body></html>"),
			check: func(t *testing.T, err error) {
				if he := asHTTP(t, err); he.Status != 500 || he.EmptyBody {
					t.Errorf("got %+v", he)
				}
			},
			wantMsg: []string{"HTTP 500"}},
		{name: "500 SOAP fault", handler: soap(500, readTestdata(t, "fault_provider_wmierror.xml")),
			check: func(t *testing.T, err error) {
				f := asFault(t, err)
				if f.WSManCode != 0x80041019 || f.Code != "Receiver" || f.Subcode.Local != "InternalError" || f.Machine != "ipam01.corp.example" {
					t.Errorf("fault %+v", f)
				}
				if f.Message != "Address space with the same name already exists." {
					t.Errorf("innermost message %q", f.Message)
				}
				w := f.WmiError
				if w == nil {
					t.Fatal("no MSFT_WmiError")
				}
				if w.CIMStatusCode != 11 || w.MessageID != "WIN32 183" || w.ErrorCode != 183 || w.ErrorType != "MI RESULT 11" ||
					w.Message != "Address space with the same name already exists." ||
					w.WindowsErrorMessage != "Cannot create a file when that file already exists." {
					t.Errorf("MSFT_WmiError %+v", w)
				}
			},
			wantMsg: []string{"0x80041019", "Address space with the same name already exists."}},
		{name: "503", handler: raw(503, "", ""), idempotent: true,
			// A refusal gets busyPatience (5) times the attempts (3) before the client gives up.
			check: func(t *testing.T, err error) { wantStatus(t, err, 503); wantKind(t, err, failure.KindBusy) }, wantMsg: []string{"HTTP 503", "busy or starting"}, wantReqs: 15},
		{name: "302 not followed", handler: raw(302, "", "", "Location", "/elsewhere"),
			check: func(t *testing.T, err error) { wantStatus(t, err, 302) }, wantMsg: []string{"HTTP 302"}},
		{name: "200 garbage", handler: raw(200, "application/soap+xml", "this is not XML at all"),
			check: func(t *testing.T, err error) {}, wantMsg: []string{"HTTP 200", "not a SOAP envelope"}},
		{name: "200 html", handler: raw(200, "text/html", "<html><head><title>IIS</title></head><body>Welcome</body></html>"),
			check: func(t *testing.T, err error) {}, wantMsg: []string{"not a SOAP envelope", "root element is"}, tagName: true},
		{name: "200 SOAP 1.1", handler: raw(200, "text/xml", `<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body/></Envelope>`),
			check: func(t *testing.T, err error) {}, wantMsg: []string{"not a SOAP envelope"}},
		{name: "200 truncated", handler: raw(200, "application/soap+xml", `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x`),
			check: func(t *testing.T, err error) {}, wantMsg: []string{"not a SOAP envelope"}},
		{name: "oversize response", maxResponse: 1024, handler: soap(200, readTestdata(t, "pull_response_epr.xml")),
			check: func(t *testing.T, err error) {}, wantMsg: []string{"exceeds 1024 bytes"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int64
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/wsman" {
					t.Errorf("request to %s: redirect followed", r.URL.Path)
				}
				hits.Add(1)
				_, _ = io.Copy(io.Discard, r.Body)
				tc.handler(w, r)
			}))
			t.Cleanup(hs.Close)
			auth := tc.auth
			if auth == "" {
				auth = "basic"
			}
			c := newClient(t, wsman.Config{Endpoint: hs.URL, Auth: auth, Username: testUser, Password: testPass, MaxResponseSize: tc.maxResponse})
			err := identify(testCtx(t, 10*time.Second), c, tc.idempotent)
			if err == nil {
				t.Fatal("no error")
			}
			tc.check(t, err)
			wantContains(t, err.Error(), tc.wantMsg...)
			if tc.tagName {
				for _, leaked := range []string{"<title>", "IIS", "Welcome", "<body>"} {
					if strings.Contains(err.Error(), leaked) {
						t.Errorf("the body leaked into the message: %s", err)
					}
				}
			} else {
				wantClean(t, err)
			}
			want := tc.wantReqs
			if want == 0 {
				want = 1
			}
			if hits.Load() != want {
				t.Errorf("server saw %d requests, want %d", hits.Load(), want)
			}
		})
	}

	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		c := newClient(t, wsman.Config{Endpoint: "http://" + closedPort(t) + "/wsman", Auth: "basic", Username: testUser, Password: testPass})
		// Not even a non-idempotent request can have reached a server: it is retried.
		_, err := addSpace(testCtx(t, 10*time.Second), c, "x", "")
		te := asTransport(t, err)
		if !te.NotSent || !te.Transient {
			t.Errorf("connection refused: NotSent=%v Transient=%v, want both", te.NotSent, te.Transient)
		}
		wantContains(t, err.Error(), "cannot reach the WinRM endpoint", "connection refused")
		wantKind(t, err, failure.KindConnectionRefused)
		wantClean(t, err)
		if c.Requests() != 3 {
			t.Errorf("%d attempts, want 3", c.Requests())
		}
	})
}

func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	if he := asHTTP(t, err); he.Status != status {
		t.Errorf("status %d, want %d", he.Status, status)
	}
}
