package wsman

import (
	"errors"

	"github.com/winipam/terraform-provider-ipam/internal/ntlm"
)

// ntlmMechanism logs connections in with NTLMv2 ([MS-NLMP]), sealing messages over plain HTTP.
type ntlmMechanism struct {
	sealed, authOnly *ntlm.Client
}

func newNTLM(username, password string) *ntlmMechanism {
	user, domain := ntlm.SplitUser(username)
	sealed := ntlm.NewClient(user, domain, password)
	authOnly := ntlm.NewClient(user, domain, password)
	authOnly.Protection = ntlm.AuthenticationOnly
	return &ntlmMechanism{sealed: sealed, authOnly: authOnly}
}

func (m *ntlmMechanism) begin(bindings []byte, seal bool) (handshake, error) {
	cl := m.authOnly
	if seal {
		cl = m.sealed
	}
	return &ntlmHandshake{client: cl, bindings: bindings}, nil
}

// ntlmHandshake is NEGOTIATE, then AUTHENTICATE in answer to the server's CHALLENGE.
type ntlmHandshake struct {
	client   *ntlm.Client
	bindings []byte
	session  *ntlm.Session
	answered bool
}

func (h *ntlmHandshake) step(in []byte) ([]byte, error) {
	if in == nil {
		return h.client.Negotiate(), nil
	}
	if h.answered {
		return nil, errors.New("the server sent a second NTLM challenge")
	}
	out, session, err := h.client.Authenticate(in, h.bindings)
	if err != nil {
		return nil, err
	}
	h.answered, h.session = true, session
	return out, nil
}

func (h *ntlmHandshake) finish([]byte) (Sealer, error) {
	if !h.answered {
		return nil, errors.New("the server took an NTLM login without a challenge")
	}
	if h.session == nil || h.client.Protection == ntlm.AuthenticationOnly {
		return nil, nil
	}
	return h.session, nil
}
