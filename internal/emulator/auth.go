package emulator

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/winipam/terraform-provider-ipam/internal/ntlm"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// certificateAuthHeader is what a WinRM client sends in Authorization when it logs in with its TLS
// client certificate (MS-WSMV 2.2.9.2).
const certificateAuthHeader = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"

// Login mechanisms, as the request log and the unencrypted-message rules name them.
const (
	mechBasic       = "basic"
	mechCertificate = "certificate"
	mechNTLM        = "ntlm"
	mechKerberos    = "kerberos"
)

type connKey struct{}

// connState is what the server knows about one TCP connection. WinRM keeps an NTLM or Kerberos
// login for the life of the connection, and with it the keys and sequence numbers that seal its
// messages ([MS-WSMV] 2.2.9.1).
type connState struct {
	mu     sync.Mutex
	ntlm   *ntlm.Acceptor
	user   string
	mech   string
	sealer wsman.Sealer
}

// ConnContext gives each connection its state; an http.Server serving the emulator must set it
// (Serve and Start do) for NTLM and Kerberos to work.
func (s *Server) ConnContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, &connState{})
}

// login is who sent a request, and how the connection protects its messages.
type login struct {
	user, mech string
	// sealer is the connection's session security, when its login negotiated it.
	sealer wsman.Sealer
	// token is the last leg of a Kerberos login (the AP-REP of mutual authentication), sent back
	// in WWW-Authenticate with the answer.
	token []byte
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

// ntlmServer plays the Windows host of NTLM logins; the configured user is its only account.
func (s *Server) newNTLMServer() *ntlm.Server {
	srv := ntlm.NewServer("ipam01", "ipam.emulator", func(user, _ string) (string, bool) {
		if !s.sameUser(user) {
			return "", false
		}
		return s.cfg.Password, true
	})
	srv.ChannelBindings = s.cbtHardening
	return srv
}

// authenticate admits the request, or answers it (401, or the NTLM challenge) and returns false.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (login, bool) {
	cs, _ := r.Context().Value(connKey{}).(*connState)
	auth := r.Header.Get("Authorization")
	switch {
	case auth == "":
		if cs != nil {
			cs.mu.Lock()
			l := login{user: cs.user, mech: cs.mech, sealer: cs.sealer}
			cs.mu.Unlock()
			if l.user != "" {
				return l, true
			}
		}
	case strings.HasPrefix(strings.ToLower(auth), "basic "):
		if s.cfg.DisableBasic {
			break
		}
		user, pass, ok := r.BasicAuth()
		p := subtle.ConstantTimeCompare([]byte(pass), []byte(s.cfg.Password))
		if ok && s.sameUser(user) && p == 1 {
			return login{user: user, mech: mechBasic}, true
		}
	case auth == certificateAuthHeader:
		if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
			cert := r.TLS.VerifiedChains[0][0]
			names := append([]string{cert.Subject.CommonName}, cert.EmailAddresses...)
			for _, n := range names {
				if s.sameUser(n) {
					return login{user: n, mech: mechCertificate}, true
				}
			}
		}
	case s.kerberos != nil && isKerberosHeader(auth):
		scheme, token, _ := strings.Cut(strings.TrimSpace(auth), " ")
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
		if err != nil {
			break
		}
		acc, err := s.kerberos.accept(scheme, b, s.channelBindings(r))
		if err != nil {
			s.log.Printf("kerberos login refused: %v", err)
			break
		}
		if !s.sameUser(acc.user) {
			break
		}
		l := login{user: acc.user, mech: mechKerberos, sealer: acc.sealer, token: acc.token}
		if cs != nil {
			// Like NTLM, a Kerberos login holds for the rest of the connection.
			cs.mu.Lock()
			cs.user, cs.mech, cs.sealer, cs.ntlm = l.user, l.mech, l.sealer, nil
			cs.mu.Unlock()
		}
		return l, true
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
			// A new login on the connection ends the old one, and its sealing.
			cs.user, cs.mech, cs.sealer = "", "", nil
			challenge, acc, err := s.ntlm.Challenge(token)
			if err != nil {
				s.log.Printf("ntlm negotiate refused: %v", err)
				break
			}
			cs.ntlm = acc
			w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(challenge))
			w.WriteHeader(http.StatusUnauthorized)
			return login{}, false
		case 3:
			if cs.ntlm == nil {
				break
			}
			id, session, err := cs.ntlm.Accept(token, s.channelBindings(r))
			cs.ntlm = nil
			if err != nil {
				s.log.Printf("ntlm login refused: %v", err)
				break
			}
			cs.user, cs.mech = id.User, mechNTLM
			if session != nil {
				cs.sealer = session
			}
			return login{user: cs.user, mech: cs.mech, sealer: cs.sealer}, true
		}
	}
	s.refuse(w)
	return login{}, false
}

// refuse answers 401 with an empty body and the schemes the server accepts, as WinRM does.
func (s *Server) refuse(w http.ResponseWriter) {
	w.Header().Add("WWW-Authenticate", "Negotiate")
	if s.kerberos != nil {
		w.Header().Add("WWW-Authenticate", "Kerberos")
	}
	if !s.cfg.DisableBasic {
		w.Header().Add("WWW-Authenticate", `Basic realm="WSMAN"`)
	}
	w.WriteHeader(http.StatusUnauthorized)
}

// UseTLSCertificate tells the server which certificate its TLS listener presents, so that it can
// check that logins over TLS are bound to it (channel binding; Start does this itself).
func (s *Server) UseTLSCertificate(cert tls.Certificate) error {
	leaf := cert.Leaf
	if leaf == nil {
		if len(cert.Certificate) == 0 {
			return errors.New("the TLS certificate is empty")
		}
		var err error
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return fmt.Errorf("the TLS certificate: %w", err)
		}
	}
	s.cbt = wsman.ChannelBindingHash(leaf)
	return nil
}

// channelBindings is the hash a login over this request's TLS connection must carry; nil over
// plain HTTP, or when the server's certificate is not known.
func (s *Server) channelBindings(r *http.Request) []byte {
	if r.TLS == nil {
		return nil
	}
	return s.cbt
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
