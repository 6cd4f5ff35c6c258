package emulator

import (
	"bufio"
	"bytes"
	"errors"
	"log"
	"net"
	"net/http"
	"strings"

	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// sealingWriter holds the answer to a sealed request and seals it when the handler is done: WinRM
// answers a sealed message with a sealed one ([MS-WSMV] 2.2.9.1). An answer without a SOAP body
// (503, an empty 500) goes out as it is, as http.sys sends those.
type sealingWriter struct {
	http.ResponseWriter
	sealer   wsman.Sealer
	protocol string
	header   http.Header
	body     bytes.Buffer
	status   int
	hijacked bool
	flushed  bool
}

func (w *sealingWriter) Header() http.Header { return w.header }

func (w *sealingWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *sealingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}

// Hijack lets fault injection drop the connection; nothing is sent then.
func (w *sealingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the response writer cannot be hijacked")
	}
	w.hijacked = true
	return hj.Hijack()
}

// flush sends the answer, once.
func (w *sealingWriter) flush(logger *log.Logger) {
	if w.hijacked || w.flushed {
		return
	}
	w.flushed = true
	if w.status == 0 {
		w.status = http.StatusOK
	}
	out := w.ResponseWriter.Header()
	for k, v := range w.header {
		out[k] = v
	}
	ct := w.header.Get("Content-Type")
	if w.body.Len() > 0 && strings.HasPrefix(strings.ToLower(ct), "application/soap+xml") {
		sealed, err := wsman.EncodeEncrypted(w.sealer, w.protocol, ct, w.body.Bytes())
		if err != nil {
			logger.Printf("cannot seal the answer: %v", err)
			out.Del("Content-Type")
			w.ResponseWriter.WriteHeader(http.StatusInternalServerError)
			return
		}
		out.Set("Content-Type", wsman.EncryptedContentType(w.protocol))
		w.ResponseWriter.WriteHeader(w.status)
		_, _ = w.ResponseWriter.Write(sealed)
		return
	}
	w.ResponseWriter.WriteHeader(w.status)
	_, _ = w.ResponseWriter.Write(w.body.Bytes())
}

// forgetLogin ends the connection's login, after its session security failed.
func (s *Server) forgetLogin(r *http.Request) {
	if cs, ok := r.Context().Value(connKey{}).(*connState); ok {
		cs.mu.Lock()
		cs.user, cs.mech, cs.sealer, cs.ntlm = "", "", nil, nil
		cs.mu.Unlock()
	}
}
