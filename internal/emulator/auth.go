package emulator

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"sync"
)

// certificateAuthHeader is what a WinRM client sends in Authorization when it logs in with its TLS
// client certificate (MS-WSMV 2.2.9.2).
const certificateAuthHeader = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"

type connKey struct{}

// connState is what the server knows about one TCP connection: WinRM keeps an NTLM login for the
// life of the connection.
type connState struct {
	mu   sync.Mutex
	ntlm *ntlmState
	user string
}

// ConnContext gives each connection its state; an http.Server serving the emulator must set it
// (Serve and Start do) for NTLM to work.
func (s *Server) ConnContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, &connState{})
}

func (s *Server) sameUser(user string) bool {
	// Windows takes DOMAIN\user, user@domain and a bare local account name.
	if i := strings.LastIndex(user, `\`); i >= 0 {
		user = user[i+1:]
	}
	if i := strings.Index(user, "@"); i >= 0 {
		user = user[:i]
	}
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(user)), []byte(strings.ToLower(s.cfg.Username))) == 1
}

// authenticate admits the request, or answers it (401, or the NTLM challenge) and returns false.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	cs, _ := r.Context().Value(connKey{}).(*connState)
	auth := r.Header.Get("Authorization")
	switch {
	case auth == "":
		if cs != nil {
			cs.mu.Lock()
			ok := cs.user != ""
			cs.mu.Unlock()
			if ok {
				return true
			}
		}
	case strings.HasPrefix(strings.ToLower(auth), "basic "):
		if s.cfg.DisableBasic {
			break
		}
		user, pass, ok := r.BasicAuth()
		p := subtle.ConstantTimeCompare([]byte(pass), []byte(s.cfg.Password))
		if ok && s.sameUser(user) && p == 1 {
			return true
		}
	case auth == certificateAuthHeader:
		if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
			cert := r.TLS.VerifiedChains[0][0]
			names := append([]string{cert.Subject.CommonName}, cert.EmailAddresses...)
			for _, n := range names {
				if s.sameUser(n) {
					return true
				}
			}
		}
	case s.kerberos != nil && isKerberosHeader(auth):
		scheme, token, _ := strings.Cut(strings.TrimSpace(auth), " ")
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
		if err != nil {
			break
		}
		user, err := s.kerberos.accept(scheme, b)
		if err != nil {
			s.log.Printf("kerberos login refused: %v", err)
			break
		}
		if s.sameUser(user) {
			if cs != nil {
				// Like NTLM, a Kerberos login holds for the rest of the connection.
				cs.mu.Lock()
				cs.user = user
				cs.mu.Unlock()
			}
			return true
		}
	default:
		token, ok := parseNegotiateHeader(auth)
		if !ok || cs == nil {
			break
		}
		scheme, _, _ := strings.Cut(auth, " ")
		cs.mu.Lock()
		defer cs.mu.Unlock()
		switch ntlmMessageType(token) {
		case 1:
			cs.ntlm = &ntlmState{challenge: newChallenge()}
			cs.user = ""
			w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(challengeMessage(cs.ntlm.challenge, negotiateFlags(token))))
			w.WriteHeader(http.StatusUnauthorized)
			return false
		case 3:
			if cs.ntlm != nil {
				user, err := verifyNTLMv2(token, cs.ntlm.challenge, s.cfg.Password)
				cs.ntlm = nil
				if err == nil && s.sameUser(user) {
					cs.user = user
					return true
				}
			}
		}
	}
	// WinRM answers with 401, an empty body and the schemes it accepts.
	w.Header().Add("WWW-Authenticate", "Negotiate")
	if s.kerberos != nil {
		w.Header().Add("WWW-Authenticate", "Kerberos")
	}
	if !s.cfg.DisableBasic {
		w.Header().Add("WWW-Authenticate", `Basic realm="WSMAN"`)
	}
	w.WriteHeader(http.StatusUnauthorized)
	return false
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// isKerberosHeader tells a Kerberos token from an NTLM one: both may come under "Negotiate".
func isKerberosHeader(v string) bool {
	scheme, token, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return false
	}
	if strings.EqualFold(scheme, "Kerberos") {
		return true
	}
	if !strings.EqualFold(scheme, "Negotiate") {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	return err == nil && ntlmMessageType(b) == 0
}
