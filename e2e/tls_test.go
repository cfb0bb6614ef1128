package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"tabula/app/program"
	"tabula/internal/client"
)

// testCert writes a certificate for 127.0.0.1 and localhost, signed by a CA made for
// the test, to dir; it returns the files and a pool trusting the CA.
func testCert(t *testing.T, dir string) (certFile, keyFile string, roots *x509.CertPool) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Tabula test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	roots = x509.NewCertPool()
	roots.AddCert(ca)
	return certFile, keyFile, roots
}

// TestTLS serves HTTPS with a certificate from files: pages carry HSTS, a board is
// edited over wss, and the redirect listener sends plain HTTP to HTTPS with 308.
func TestTLS(t *testing.T) {
	checkLeaks(t)
	certFile, keyFile, roots := testCert(t, t.TempDir())
	ts := startServer(t, func(c *program.Config) {
		c.Ops.TLSCert, c.Ops.TLSKey = certFile, keyFile
		c.Ops.RedirectAddr = "127.0.0.1:0"
	})
	base := "https://" + ts.Addr()
	tlsConf := &tls.Config{RootCAs: roots}
	hc := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: tlsConf},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	resp, err := hc.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Fatalf("GET / over HTTPS: %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("Strict-Transport-Security = %q", got)
	}

	resp, err = hc.Post(base+"/boards", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/b/") {
		t.Fatalf("POST /boards: %d %q", resp.StatusCode, loc)
	}
	id := strings.TrimPrefix(loc, "/b/")

	d := websocket.Dialer{TLSClientConfig: tlsConf, HandshakeTimeout: wait}
	ws, _, err := d.Dial("wss://"+ts.Addr()+"/b/"+id+"/ws", nil)
	if err != nil {
		t.Fatalf("wss: %v", err)
	}
	p := &peer{t: t, c: &client.Conn{WS: ws}, doc: client.NewDoc(), acks: map[string]int64{}}
	t.Cleanup(func() { ws.Close() })
	w, err := p.c.Hello(0, "tls", time.Now().Add(wait))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.doc.Welcome(w); err != nil {
		t.Fatal(err)
	}
	if seq := p.commit("c1", put(rect("r1", 0))); seq != 1 {
		t.Errorf("first batch over wss: seq %d", seq)
	}

	_, port, _ := net.SplitHostPort(ts.Addr())
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = plain.Post("http://"+ts.RedirectAddr()+"/b/"+id+"?x=1", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := "https://127.0.0.1:" + port + "/b/" + id + "?x=1"; resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != want {
		t.Errorf("plain HTTP: %d to %q, want 308 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
}

// TestNoHSTSOverHTTP: a server without TLS sends no Strict-Transport-Security (which
// browsers would ignore anyway, but a proxy in front might pass on).
func TestNoHSTSOverHTTP(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	resp, _ := get(t, ts.URL+"/")
	if got := resp.Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("Strict-Transport-Security over plain HTTP: %q", got)
	}
}

// TestTLSConfig: TLS flags that cannot work are refused at start.
func TestTLSConfig(t *testing.T) {
	env := func(string) string { return "" }
	for _, args := range [][]string{
		{"-tls-cert", "c.pem"},
		{"-tls-key", "k.pem"},
		{"-tls-cert", "c.pem", "-tls-key", "k.pem", "-tls-domain", "example.com"},
		{"-http-redirect-addr", ":80"},
	} {
		if _, err := program.ParseConfig(args, env, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	cfg, err := program.ParseConfig([]string{"-tls-domain", "a.example, b.example"}, env, io.Discard)
	if err != nil || cfg.Ops.RedirectAddr != ":80" || len(cfg.Ops.TLSDomains) != 2 {
		t.Errorf("-tls-domain: redirect %q, domains %q, %v", cfg.Ops.RedirectAddr, cfg.Ops.TLSDomains, err)
	}
	certFile, _, _ := testCert(t, t.TempDir())
	if _, err := program.New(testConfig(t, func(c *program.Config) { c.Ops.TLSCert, c.Ops.TLSKey = certFile, certFile }), slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil {
		t.Error("a certificate file as its own key: started")
	}
}
