package api

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// ListenTLS opens addr for HTTPS with the certificate in certFile and keyFile; ServeTLS serves
// on it. The phones need HTTPS: browsers open the camera (to scan a card) and keep the apps for
// offline use only in a secure context, and a PIN or a password must not cross a camp's network
// in the clear.
func (s *Server) ListenTLS(addr, certFile, keyFile string) (net.Listener, error) {
	certs, err := newCertFiles(certFile, keyFile, s.log)
	if err != nil {
		return nil, err
	}
	srv := s.echo.TLSServer
	srv.Handler = s.echo
	srv.ReadHeaderTimeout = 10 * time.Second
	srv.IdleTimeout = 2 * time.Minute
	srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: certs.get}
	srv.ErrorLog = slog.NewLogLogger(s.log.Handler(), slog.LevelDebug) // handshake noise from scanners
	return net.Listen("tcp", addr)
}

// ServeTLS serves HTTPS on a listener from ListenTLS until Shutdown, over HTTP/2 where the
// browser offers it: one connection for all of an app's requests, which a phone on a slow
// link feels.
func (s *Server) ServeTLS(ln net.Listener) error { return s.echo.TLSServer.ServeTLS(ln, "", "") }

// certFiles serves the certificate in a pair of PEM files and reads them again when they change
// on disk, so a renewed certificate (certbot, an agency's CA) is taken without a restart. A
// handshake costs one stat of each file; a pair that does not load keeps the previous one.
type certFiles struct {
	certFile, keyFile string
	log               *slog.Logger

	mu      sync.Mutex
	cert    *tls.Certificate
	version string // the files' sizes and modification times when cert was read
}

func newCertFiles(certFile, keyFile string, log *slog.Logger) (*certFiles, error) {
	c := &certFiles{certFile: certFile, keyFile: keyFile, log: log}
	if err := c.reload(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *certFiles) stamp() (string, error) {
	var out string
	for _, f := range []string{c.certFile, c.keyFile} {
		st, err := os.Stat(f)
		if err != nil {
			return "", err
		}
		out += fmt.Sprintf("%d@%d;", st.Size(), st.ModTime().UnixNano())
	}
	return out, nil
}

func (c *certFiles) reload() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.stamp()
	if err != nil {
		return fmt.Errorf("TLS certificate: %w", err)
	}
	if v == c.version {
		return nil
	}
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("TLS certificate %s, key %s: %w", c.certFile, c.keyFile, err)
	}
	if c.cert != nil {
		c.log.Info("TLS certificate reloaded", "file", c.certFile)
	}
	c.cert, c.version = &cert, v
	return nil
}

func (c *certFiles) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	if err := c.reload(); err != nil {
		c.log.Warn("TLS certificate not reloaded; serving the previous one", "err", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cert == nil {
		return nil, errors.New("no TLS certificate")
	}
	return c.cert, nil
}

// strictTransport tells browsers that reached the server over HTTPS to use nothing else.
func strictTransport(r *http.Request, h http.Header) {
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}
