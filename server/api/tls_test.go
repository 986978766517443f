package api_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/api"
)

// writeCert writes a self-signed certificate for 127.0.0.1 with the given serial number, and
// dates the files at when, so that a rewrite is seen as a change whatever the clock's grain.
func writeCert(t *testing.T, certFile, keyFile string, serial int64, when time.Time) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "aidledger test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		path, kind string
		der        []byte
	}{{certFile, "CERTIFICATE", der}, {keyFile, "EC PRIVATE KEY", kder}} {
		if err := os.WriteFile(f.path, pem.EncodeToMemory(&pem.Block{Type: f.kind, Bytes: f.der}), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(f.path, when, when); err != nil {
			t.Fatal(err)
		}
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestServeTLS_AnswersOverHTTPSAndTakesARenewedCertificateWithoutARestart(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	first := writeCert(t, certFile, keyFile, 1, time.Now().Add(-time.Minute))
	srv := api.New(api.Deps{})
	ln, err := srv.ListenTLS("127.0.0.1:0", certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr()
	served := make(chan error, 1)
	go func() { served <- srv.ServeTLS(ln) }()
	t.Cleanup(func() {
		_ = srv.Shutdown(context.Background())
		if err := <-served; err != http.ErrServerClosed {
			t.Errorf("ServeTLS ended with %v", err)
		}
	})

	// get opens a new connection trusting only cert, and says which certificate the server showed.
	get := func(cert *x509.Certificate) (*http.Response, error) {
		pool := x509.NewCertPool()
		pool.AddCert(cert)
		c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, DisableKeepAlives: true, ForceAttemptHTTP2: true}}
		return c.Get("https://" + addr.String() + "/healthz")
	}
	res, err := get(first)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.ProtoMajor != 2 {
		t.Errorf("answered over %s; want HTTP/2", res.Proto)
	}
	if res.StatusCode != 200 || res.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("%d, HSTS %q; want 200 with Strict-Transport-Security", res.StatusCode, res.Header.Get("Strict-Transport-Security"))
	}
	plain := &http.Client{Timeout: 10 * time.Second}
	if res, err := plain.Get("http://" + addr.String() + "/healthz"); err == nil && res.StatusCode == 200 {
		t.Fatal("plain HTTP was answered on the TLS port")
	}

	renewed := writeCert(t, certFile, keyFile, 2, time.Now())
	res, err = get(renewed)
	if err != nil {
		t.Fatalf("after the renewal: %v", err)
	}
	res.Body.Close()
	if got := res.TLS.PeerCertificates[0].SerialNumber.Int64(); got != 2 {
		t.Fatalf("served certificate %d after the renewal; want 2", got)
	}

	// A half-written renewal keeps the certificate that works.
	if err := os.WriteFile(keyFile, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err = get(renewed)
	if err != nil {
		t.Fatalf("with a broken key file: %v; want the previous certificate", err)
	}
	res.Body.Close()
}

func TestListenTLS_RefusesACertificateItCannotRead(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeCert(t, certFile, keyFile, 1, time.Now())
	if err := os.WriteFile(keyFile, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, cert, key string }{
		{"a missing file", filepath.Join(dir, "nothing.pem"), keyFile},
		{"a key that is not one", certFile, keyFile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if ln, err := api.New(api.Deps{}).ListenTLS("127.0.0.1:0", tc.cert, tc.key); err == nil {
				ln.Close()
				t.Fatal("listening; want an error before serving")
			}
		})
	}
}
