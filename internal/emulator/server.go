package emulator

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/ntlm"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// Config is what an emulator serves and how.
type Config struct {
	// DBPath is the SQLite file; ":memory:" keeps everything in memory.
	DBPath             string
	Username, Password string
	// Latency is added to every request, to model a real WinRM+WMI round trip.
	Latency time.Duration
	// CustomFields are the custom fields CustomConfiguration may name, besides the built-in ones.
	CustomFields []string
	// MaxRequestSize bounds a request body (Windows' MaxEnvelopeSizekb, 500 KiB by default).
	MaxRequestSize int
	// ErrorsAsReturnValue makes the Add methods report a failure as a non-zero ReturnValue
	// instead of a SOAP fault. Which one IPAM uses is undocumented; clients must take both.
	ErrorsAsReturnValue bool
	// FailedItemsOnly makes bulk calls list only failed items in Output. Whether Windows lists
	// successes is undocumented; clients must take both.
	FailedItemsOnly bool
	// TypeNumbering is how Type is numbered in responses, bulk inputs and WQL filters: the WMI
	// class documentation's (Provider 0, Customer 1; the zero value) or [MS-IPAMM2] 2.2.5.62's
	// (Provider 1, Customer 2). Which one Windows uses is undocumented; clients must take both.
	TypeNumbering ipam.TypeNumbering
	// FailItems, when set, fails every bulk item whose name matches this WQL LIKE pattern.
	FailItems string
	// DisableBasic refuses HTTP Basic, as a Windows server does by default; NTLM and client
	// certificates still work.
	DisableBasic bool
	// RequireEncryption refuses unsealed messages over plain HTTP, as Windows does with
	// AllowUnencrypted=false, its default ([MS-WSMV] 3.1.4.1.29.1): NTLM and Kerberos clients must
	// seal every message ([MS-WSMV] 2.2.9.1), and Basic over plain HTTP is refused.
	RequireEncryption bool
	// CBTHardening is how strictly a login over HTTPS must be bound to its TLS channel, as WinRM's
	// CbtHardeningLevel: "relaxed" (Windows' default, and ""), "none" or "strict".
	CBTHardening string
	// KerberosKeytab, when set, is a keytab with the service principal's keys (HTTP/host): the
	// emulator then takes Kerberos logins with tickets from a real KDC, for the user Username.
	KerberosKeytab string
	// MaxConcurrentOperations answers WinRM's quota fault when more requests than this are in
	// flight (WinRM's MaxConcurrentOperationsPerUser); 0 is unlimited.
	MaxConcurrentOperations int
	// Logger gets one line per request; nil discards them.
	Logger *log.Logger
}

// Defaults that match a Windows Server's WinRM configuration.
const (
	// sealingOverhead bounds what sealing adds to an envelope: the MIME framing and a signature
	// or Kerberos token header.
	sealingOverhead       = 1024
	DefaultMaxRequestSize = 500 * 1024
	maxBatchItems         = 32000 // WinRM MaxBatchItems
	minEnvelopeSize       = 8192  // WinRM refuses a smaller MaxEnvelopeSize
	enumerationTTL        = 10 * time.Minute
	maxEnumerations       = 1024
)

// Server is the IPAM emulator: a WS-Management endpoint over an IPAM engine and its store.
type Server struct {
	cfg      Config
	eng      *engine
	log      *log.Logger
	mu       sync.Mutex
	enums    map[string]*enumeration
	faults   []*FaultRule
	kerberos *kerberosAcceptor
	ntlm     *ntlm.Server
	// cbt is the channel binding hash of the server's TLS certificate, when it serves HTTPS.
	cbt          []byte
	cbtHardening ntlm.CBTHardening
	inflight     int
	closed       bool
	// requests and bytesIn count what clients sent, for tests and benchmarks.
	requests, bytesIn atomic.Int64
}

// Requests returns how many HTTP requests the server has received.
func (s *Server) Requests() int64 { return s.requests.Load() }

// BytesReceived returns how many request body bytes the server has read.
func (s *Server) BytesReceived() int64 { return s.bytesIn.Load() }

type enumeration struct {
	items   []*wsman.Instance
	expires time.Time
}

// New opens the store and returns a server ready to be served with Handler.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Username == "" || cfg.Password == "" {
		return nil, errors.New("the emulator needs a username and a password: it never serves without authentication")
	}
	if cfg.DBPath == "" {
		cfg.DBPath = ":memory:"
	}
	if cfg.MaxRequestSize <= 0 {
		cfg.MaxRequestSize = DefaultMaxRequestSize
	}
	st, err := openStore(ctx, cfg.DBPath)
	if err != nil {
		return nil, err
	}
	if err := st.defineCustomFields(ctx, cfg.CustomFields); err != nil {
		st.Close()
		return nil, fmt.Errorf("define custom fields: %w", err)
	}
	s := &Server{cfg: cfg, eng: &engine{st: st}, log: cfg.Logger, enums: map[string]*enumeration{}}
	switch strings.ToLower(cfg.CBTHardening) {
	case "", "relaxed":
		s.cbtHardening = ntlm.CBTRelaxed
	case "none":
		s.cbtHardening = ntlm.CBTNone
	case "strict":
		s.cbtHardening = ntlm.CBTStrict
	default:
		st.Close()
		return nil, fmt.Errorf("channel binding hardening %q is not none, relaxed or strict", cfg.CBTHardening)
	}
	s.ntlm = s.newNTLMServer()
	if s.log == nil {
		s.log = log.New(io.Discard, "", 0)
	}
	match, err := failItemMatcher(cfg.FailItems)
	if err != nil {
		st.Close()
		return nil, err
	}
	s.eng.setFailItem(match)
	if cfg.KerberosKeytab != "" {
		if s.kerberos, err = newKerberosAcceptor(cfg.KerberosKeytab, s.cbtHardening); err != nil {
			st.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close closes the store.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return s.eng.st.Close()
}

// ServeHTTP serves POST /wsman.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.requests.Add(1)
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	action := s.serve(rec, r)
	s.log.Printf("%s %s %s %d %dB %s", r.RemoteAddr, r.Method, action, rec.status, rec.bytes, time.Since(start).Round(time.Microsecond))
}

type statusRecorder struct {
	http.ResponseWriter
	status, bytes int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Hijack lets fault injection drop the connection while the request is still logged.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the response writer cannot be hijacked")
	}
	r.status = 0
	return hj.Hijack()
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// serve handles one request and returns a short name of what it was, for the log.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) string {
	if r.URL.Path == "/emulator/faults" || r.URL.Path == "/emulator/stats" {
		s.serveAdmin(w, r)
		return "admin"
	}
	if r.URL.Path != "/wsman" {
		http.NotFound(w, r)
		return "not-found"
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "", http.StatusMethodNotAllowed)
		return "bad-method"
	}
	who, ok := s.authenticate(w, r)
	if !ok {
		return "unauthorized"
	}
	if len(who.token) > 0 {
		// The last leg of a Kerberos login: the AP-REP of mutual authentication (RFC 4559 5).
		scheme, _, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(who.token))
	}
	// A sealed body is a little larger than the envelope it carries; the envelope's own size is
	// checked once it is unsealed.
	limit := s.cfg.MaxRequestSize
	if wsman.IsEncrypted(r.Header.Get("Content-Type")) {
		limit += sealingOverhead
	}
	raw, err := readBody(r.Body, limit)
	s.bytesIn.Add(int64(len(raw)))
	if err != nil {
		if errors.Is(err, wsman.ErrTooLarge) {
			// [MS-WSMV] 3.1.4.1.20: an envelope over MaxEnvelopeSizekb gets HTTP 413 and is not processed.
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return "too-large"
		}
		w.WriteHeader(http.StatusBadRequest)
		return "read-error"
	}
	if len(raw) == 0 && r.Header.Get("Authorization") != "" && (who.mech == mechNTLM || who.mech == mechKerberos) {
		// A login leg without a message: clients that seal log in this way first (pywinrm's
		// setup_encryption, which requires a 2xx answer), and so does this project's client.
		w.WriteHeader(http.StatusOK)
		return "login"
	}
	ct := r.Header.Get("Content-Type")
	var body []byte
	// sw seals the answer to a sealed request. With a limit on concurrent operations it is flushed
	// inside the quota window below, as WinRM counts an operation until its answer is out; without
	// one, by the deferred flush.
	var sw *sealingWriter
	switch {
	case wsman.IsEncrypted(ct):
		protocol := wsman.EncryptedProtocol(ct)
		known := strings.EqualFold(protocol, wsman.ProtocolSPNEGO) || (who.mech == mechKerberos && strings.EqualFold(protocol, wsman.ProtocolKerberos))
		if who.sealer == nil || !known {
			w.WriteHeader(http.StatusBadRequest)
			return "sealed-without-login"
		}
		var originalType string
		if body, originalType, err = wsman.DecodeEncrypted(who.sealer, ct, raw); err != nil {
			// The two sides' sequence numbers or keys no longer agree: the connection must log in
			// again. What Windows answers here is undocumented.
			s.log.Printf("cannot unseal a message: %v", err)
			s.forgetLogin(r)
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusBadRequest)
			return "unseal-failed"
		}
		if !strings.HasPrefix(strings.ToLower(originalType), "application/soap+xml") {
			w.WriteHeader(http.StatusUnsupportedMediaType)
			return "bad-content-type"
		}
		sw = &sealingWriter{ResponseWriter: w, sealer: who.sealer, protocol: protocol, header: http.Header{}}
		defer sw.flush(s.log)
		w = sw
	case !strings.HasPrefix(strings.ToLower(ct), "application/soap+xml"):
		w.WriteHeader(http.StatusUnsupportedMediaType)
		return "bad-content-type"
	default:
		body = raw
		if s.cfg.RequireEncryption && r.TLS == nil {
			// AllowUnencrypted=false: an unsealed message over HTTP is refused. After an NTLM
			// login Windows answers 401 (hashicorp/packer#6205); after Kerberos or Basic, 500 with
			// an empty body (diyan/pywinrm#129, cloudsoft/winrm4j#151).
			if who.mech == mechNTLM {
				s.refuse(w)
			} else {
				w.WriteHeader(http.StatusInternalServerError)
			}
			return "unencrypted-refused"
		}
	}
	if len(body) > s.cfg.MaxRequestSize {
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		return "too-large"
	}
	env, err := wsman.Parse(body)
	if err != nil {
		s.writeFault(w, nil, wsman.NewFault(wsman.FaultSchemaValidationError, err.Error()))
		return "malformed"
	}
	if env.Header.MaxEnvelopeSize != 0 && env.Header.MaxEnvelopeSize < minEnvelopeSize {
		s.writeFault(w, env, wsman.NewFault(wsman.FaultMinimumEnvelopeLimit, ""))
		return "envelope-too-small"
	}
	if f := s.takeFault(env.Header.Action); f != nil {
		switch f.Kind {
		case FaultUnavailable:
			w.WriteHeader(http.StatusServiceUnavailable)
			return "fault-503"
		case FaultEmpty500:
			w.WriteHeader(http.StatusInternalServerError)
			return "fault-500-empty"
		case FaultQuota:
			s.writeFault(w, env, quotaFault())
			return "fault-quota"
		case FaultDropBefore:
			dropConnection(w)
			return "fault-drop-before"
		case FaultDropAfter:
			s.dispatch(&bufferedResponse{header: http.Header{}}, r, env)
			dropConnection(w)
			return "fault-drop-after"
		case FaultSlow:
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return "cancelled"
			}
		}
	}
	if limit := s.cfg.MaxConcurrentOperations; limit > 0 {
		s.mu.Lock()
		over := s.inflight >= limit
		if !over {
			s.inflight++
		}
		s.mu.Unlock()
		if over {
			s.writeFault(w, env, quotaFault())
			return "quota"
		}
		defer func() {
			if sw != nil {
				sw.flush(s.log)
			}
			s.mu.Lock()
			s.inflight--
			s.mu.Unlock()
		}()
	}
	// The added latency stands for WinRM and WMI at work, so it counts as an operation in flight.
	if s.cfg.Latency > 0 {
		select {
		case <-time.After(s.cfg.Latency):
		case <-r.Context().Done():
			return "cancelled"
		}
	}
	return s.dispatch(w, r, env)
}

// dispatch acts on a parsed, authenticated request and returns what it was, for the log.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, env *wsman.Envelope) string {
	ctx := r.Context()
	h := &env.Header
	switch {
	case h.Action == "" && env.IsIdentify():
		s.respond(w, env, "", &wsman.IdentifyResponse{ProtocolVersion: wsman.NSWSMan, ProductVendor: "Microsoft Corporation",
			ProductVersion: "OS: 0.0.0 SP: 0.0 Stack: 3.0 (terraform-provider-ipam emulator)"})
		return "Identify"
	case h.Action == wsman.ActionEnumerate:
		s.enumerate(ctx, w, env)
		return "Enumerate"
	case h.Action == wsman.ActionPull:
		s.pull(w, env)
		return "Pull"
	case h.Action == wsman.ActionRelease:
		s.release(w, env)
		return "Release"
	case h.Action == wsman.ActionGet:
		s.get(ctx, w, env)
		return "Get"
	}
	method, ok := cutPrefixFold(h.Action, addressSpaceURI+"/")
	if !ok || !strings.EqualFold(h.ResourceURI, addressSpaceURI) {
		if !strings.EqualFold(h.ResourceURI, addressSpaceURI) {
			s.writeFault(w, env, resourceNotFound(h.ResourceURI))
		} else {
			s.writeFault(w, env, wsman.NewFault(wsman.FaultActionMismatch, ""))
		}
		return "bad-action"
	}
	s.invoke(ctx, w, env, method)
	return method
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return "", false
}

func readBody(r io.Reader, limit int) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(data) > limit {
		return nil, wsman.ErrTooLarge
	}
	return data, nil
}

func resourceNotFound(uri string) *wsman.Fault {
	return wsman.NewFault(wsman.FaultResourceNotFound, fmt.Sprintf("The resource URI %q is not served here; this server serves %s.", uri, addressSpaceURI))
}

func encodingLimitFault(msg string) *wsman.Fault {
	return wsman.NewFault(wsman.FaultEncodingLimit, msg)
}

// cimStatus maps an IPAM failure to the CIM_Error status and WBEM HRESULT a WMI provider raises.
func cimStatus(k ipam.Kind) (uint32, uint32) {
	switch k {
	case ipam.KindAccessDenied:
		return 2, ipam.WBEMAccessDenied
	case ipam.KindInvalid:
		return 4, ipam.WBEMInvalidParameter
	case ipam.KindNotFound:
		return 6, ipam.WBEMNotFound
	case ipam.KindInUse:
		return 9, ipam.WBEMFailed
	case ipam.KindAlreadyExists:
		return 11, ipam.WBEMAlreadyExists
	}
	return 1, ipam.WBEMFailed
}

// providerFault is how a WMI provider error reaches the client: a SOAP fault carrying the
// MSFT_WmiError, whose MessageID is "WIN32 <code>" for IPAM (ipam-api.md 3.2).
func providerFault(e *ipam.Error) *wsman.Fault {
	status, hr := cimStatus(e.Kind)
	msg := e.Message
	if e.Name != "" && !strings.Contains(msg, e.Name) {
		msg = fmt.Sprintf("%s: %s", e.Name, msg)
	}
	return wsman.NewProviderFault(hr, &wsman.WmiError{CIMStatusCode: status, Message: msg, MessageID: fmt.Sprintf("WIN32 %d", e.Code),
		ErrorCode: e.Code, ErrorType: "MI RESULT"})
}

func internalFault(err error) *wsman.Fault {
	return wsman.NewFault(wsman.FaultInternalError, err.Error())
}

func (s *Server) respond(w http.ResponseWriter, req *wsman.Envelope, action string, body wsman.Body) {
	h := wsman.Header{To: wsman.AddressAnonymous, Action: action, MessageID: "uuid:" + wsman.NewUUID(), RelatesTo: "uuid:00000000-0000-0000-0000-000000000000"}
	if req.Header.MessageID != "" {
		h.RelatesTo = req.Header.MessageID
	}
	out, err := wsman.Marshal(h, body)
	if err != nil {
		s.writeFault(w, req, internalFault(err))
		return
	}
	if limit := req.Header.MaxEnvelopeSize; limit > 0 && len(out) > limit {
		s.writeFault(w, req, wsman.NewFault(wsman.FaultMaxEnvelopeSize, fmt.Sprintf("The response that the WS-Management service computed (%d bytes) exceeds the maximum envelope size in the request (%d bytes).", len(out), limit)))
		return
	}
	w.Header().Set("Content-Type", wsman.ContentType)
	_, _ = w.Write(out)
}

// writeFault sends a fault with HTTP 500, as WinRM does.
func (s *Server) writeFault(w http.ResponseWriter, req *wsman.Envelope, f *wsman.Fault) {
	h := wsman.Header{To: wsman.AddressAnonymous, Action: wsman.ActionWSManFault, MessageID: "uuid:" + wsman.NewUUID(),
		RelatesTo: "uuid:00000000-0000-0000-0000-000000000000"}
	if f.Subcode.Space == wsman.NSAddressing {
		h.Action = wsman.ActionFault
	}
	if req != nil && req.Header.MessageID != "" {
		h.RelatesTo = req.Header.MessageID
	}
	f.Machine = "localhost"
	out, err := wsman.Marshal(h, f)
	if err != nil {
		// Only a message with characters XML cannot carry gets here; say so without them.
		f.Message, f.WmiError = "the fault message could not be encoded", nil
		out, _ = wsman.Marshal(h, f)
	}
	w.Header().Set("Content-Type", wsman.ContentType)
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write(out)
}

func (s *Server) invoke(ctx context.Context, w http.ResponseWriter, env *wsman.Envelope, action string) {
	in, err := env.InvokeInput()
	if err != nil {
		s.writeFault(w, env, invalidParameterFault(err.Error()))
		return
	}
	if !strings.EqualFold(in.Method, action) {
		s.writeFault(w, env, invalidParameterFault(fmt.Sprintf("the body calls %s but the action names %s", in.Method, action)))
		return
	}
	respAction := wsman.MethodResponseAction(addressSpaceURI, in.Method)
	switch strings.ToLower(in.Method) {
	case "addprovideraddressspace", "addcustomeraddressspace":
		typ := ipam.TypeProvider
		if strings.EqualFold(in.Method, "AddCustomerAddressSpace") {
			typ = ipam.TypeCustomer
		}
		a, err := addressSpaceFromParams(in, typ)
		if err != nil && !errors.Is(err, ipam.ErrInvalid) {
			s.writeFault(w, env, invalidParameterFault(err.Error()))
			return
		}
		var created *ipam.AddressSpace
		if err == nil {
			created, err = s.eng.Add(ctx, a)
		}
		if err != nil {
			ie := asIPAMError(a.Name, err)
			if s.cfg.ErrorsAsReturnValue {
				rv := ipam.HRESULTFromWin32(ie.Code)
				s.respond(w, env, respAction, &wsman.InvokeOutput{Method: in.Method, ResourceURI: addressSpaceURI, ReturnValue: &rv})
				return
			}
			s.writeFault(w, env, providerFault(ie))
			return
		}
		var zero uint32
		s.respond(w, env, respAction, &wsman.InvokeOutput{Method: in.Method, ResourceURI: addressSpaceURI, ReturnValue: &zero,
			Params: []wsman.Property{wsman.Embedded("output", toInstance(created, nil, s.cfg.TypeNumbering))}})
	case "bulkaddorupdateaddressspace", "bulkdeleteaddressspace":
		var items []patch
		for _, p := range in.Params {
			if !strings.EqualFold(p.Name, "AddressSpace") {
				s.writeFault(w, env, invalidParameterFault(fmt.Sprintf("%s has no parameter %q", in.Method, p.Name)))
				return
			}
			for _, v := range p.Values {
				if v.Nil {
					continue // servers must not send null array elements; a client's are skipped
				}
				items = append(items, patchFromInstance(v.Instance, s.cfg.TypeNumbering))
			}
		}
		var statuses []ipam.OperationStatus
		if strings.EqualFold(in.Method, "BulkDeleteAddressSpace") {
			statuses, err = s.eng.BulkDelete(ctx, items)
		} else {
			statuses, err = s.eng.BulkAddOrUpdate(ctx, items)
		}
		if err != nil {
			s.writeFault(w, env, internalFault(err))
			return
		}
		out := make([]*wsman.Instance, 0, len(statuses))
		for _, st := range statuses {
			if st.Win32Status == 0 && s.cfg.FailedItemsOnly {
				continue
			}
			out = append(out, operationStatus(st))
		}
		var zero uint32
		resp := &wsman.InvokeOutput{Method: in.Method, ResourceURI: addressSpaceURI, ReturnValue: &zero}
		if len(out) > 0 {
			resp.Params = []wsman.Property{wsman.Embedded("Output", out...)}
		}
		s.respond(w, env, respAction, resp)
	default:
		s.writeFault(w, env, wsman.NewFault(wsman.FaultActionMismatch, fmt.Sprintf("%s has no method %s; it has AddProviderAddressSpace, AddCustomerAddressSpace, BulkAddOrUpdateAddressSpace and BulkDeleteAddressSpace.", classAddressSp, in.Method)))
	}
}

func invalidParameterFault(msg string) *wsman.Fault {
	return wsman.NewFault(wsman.FaultInvalidParameter, msg)
}

func queryFault(status, hr uint32, msg string) *wsman.Fault {
	return wsman.NewFault(wsman.FaultCannotProcessFilter, msg).
		WithWmiError(&wsman.WmiError{CIMStatusCode: status, Message: msg, MessageID: fmt.Sprintf("HRESULT 0x%08x", hr), ErrorCode: hr})
}

// get answers a WS-Transfer Get of one instance by its InstanceID selector.
func (s *Server) get(ctx context.Context, w http.ResponseWriter, env *wsman.Envelope) {
	if !strings.EqualFold(env.Header.ResourceURI, addressSpaceURI) {
		s.writeFault(w, env, resourceNotFound(env.Header.ResourceURI))
		return
	}
	id, ok := env.Header.Selector("InstanceID")
	if !ok || len(env.Header.Selectors) != 1 {
		s.writeFault(w, env, wsman.NewFault(wsman.FaultInvalidSelectors, "select the address space with exactly one selector, InstanceID"))
		return
	}
	a, err := s.eng.Get(ctx, id)
	if err != nil {
		s.writeFault(w, env, internalFault(err))
		return
	}
	if a == nil {
		s.writeFault(w, env, resourceNotFound(env.Header.ResourceURI+"?InstanceID="+id))
		return
	}
	s.respond(w, env, wsman.ActionGetResponse, &wsman.InstanceBody{Instance: toInstance(a, nil, s.cfg.TypeNumbering)})
}
