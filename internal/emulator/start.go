package emulator

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Running is an emulator serving HTTP(S) on a listener.
type Running struct {
	*Server
	// URL is the WS-Management endpoint, e.g. http://127.0.0.1:5985/wsman.
	URL  string
	hs   *http.Server
	done chan error
}

// Start opens the store and serves it on addr ("127.0.0.1:0" picks a free port). With tlsConfig it
// serves HTTPS; set its ClientCAs and ClientAuth for certificate authentication.
func Start(ctx context.Context, cfg Config, addr string, tlsConfig *tls.Config) (*Running, error) {
	srv, err := New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		srv.Close()
		return nil, err
	}
	scheme := "http"
	if tlsConfig != nil {
		if len(tlsConfig.Certificates) > 0 {
			if err := srv.UseTLSCertificate(tlsConfig.Certificates[0]); err != nil {
				ln.Close()
				srv.Close()
				return nil, err
			}
		}
		ln = tls.NewListener(ln, tlsConfig)
		scheme = "https"
	}
	r := &Running{
		Server: srv,
		URL:    fmt.Sprintf("%s://%s/wsman", scheme, ln.Addr()),
		hs: &http.Server{Handler: srv, ConnContext: srv.ConnContext, ReadHeaderTimeout: 30 * time.Second,
			ErrorLog: cfg.Logger},
		done: make(chan error, 1),
	}
	go func() { r.done <- r.hs.Serve(ln) }()
	return r, nil
}

// Done is closed with the error that stopped serving, if it stops by itself.
func (r *Running) Done() <-chan error { return r.done }

// Close stops serving, waiting up to 10 seconds for requests in flight, and closes the store.
func (r *Running) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := r.hs.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = r.hs.Close()
	}
	return errors.Join(err, r.Server.Close())
}
