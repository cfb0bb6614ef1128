package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
	"github.com/miekg/dns"

	"tabula/app/program"
)

// TestACME gets the server's certificate from a real ACME CA, Let's Encrypt's test
// server pebble, run in this process: the first TLS handshake for the domain makes
// autocert order a certificate, pebble checks the tls-alpn-01 challenge by connecting
// to the server's public port (the domain resolves to 127.0.0.1 through a DNS server of
// the test's own), and the handshake completes with the issued certificate. Another
// name gets no certificate.
func TestACME(t *testing.T) {
	checkLeaks(t)
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0")
	const domain = "board.tabula.test"
	resolver := startDNS(t, domain)

	// The ACME directory's address must be known before the server starts, and pebble's
	// validation authority needs the server's port: the handler is filled in after.
	var pebble atomic.Value
	acmeSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pebble.Load().(http.Handler).ServeHTTP(w, r)
	}))
	acmeSrv.StartTLS()
	t.Cleanup(acmeSrv.Close)

	ts := startServer(t, func(c *program.Config) {
		c.Ops.TLSDomains = []string{domain}
		c.Ops.ACMEDirectory = acmeSrv.URL + wfe.DirectoryPath
		c.Ops.ACMEHTTP = acmeSrv.Client()
		c.Ops.RedirectAddr = "127.0.0.1:0"
	})
	port := func(addr string) int {
		_, p, _ := net.SplitHostPort(addr)
		n, _ := strconv.Atoi(p)
		return n
	}
	quiet := log.New(io.Discard, "", 0)
	if os.Getenv("TABULA_TEST_LOG") != "" {
		quiet = log.New(os.Stderr, "pebble ", 0)
	}
	store := db.NewMemoryStore()
	authority := ca.New(quiet, store, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "default"}})
	validator := va.New(quiet, port(ts.RedirectAddr()), port(ts.Addr()), false, resolver, store)
	frontEnd := wfe.New(quiet, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 1, 1)
	pebble.Store(finalizeLocation(frontEnd.Handler()))

	roots := x509.NewCertPool()
	roots.AddCert(authority.GetRootCert(0).Cert)
	dialer := &net.Dialer{Timeout: time.Minute}
	conn, err := tls.DialWithDialer(dialer, "tcp", ts.Addr(), &tls.Config{ServerName: domain, RootCAs: roots, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatalf("TLS handshake for %s: %v", domain, err)
	}
	conn.Close()

	// The certificate serves HTTPS, and was cached beside the data file.
	hc := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, ts.Addr())
		},
	}}
	resp, err := hc.Get("https://" + domain + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("GET / with the ACME certificate: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(ts.cfg.DataPath), "certs", domain)); err != nil {
		t.Errorf("certificate not cached: %v", err)
	}

	// A name the server was not configured for gets no certificate (and no order).
	_, err = tls.DialWithDialer(dialer, "tcp", ts.Addr(), &tls.Config{ServerName: "other.tabula.test", InsecureSkipVerify: true})
	if err == nil {
		t.Error("TLS handshake for a host not in -tls-domain succeeded")
	}
}

// finalizeLocation adds the order's URL as Location to pebble's answer to a finalize
// request, as Let's Encrypt's servers send it. golang.org/x/crypto/acme waits for the
// order at that URL when the certificate is not issued at once; pebble (2.10.3) issues
// it a moment later and sends no Location, so the client would wait at "" and fail.
func finalizeLocation(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := strings.CutPrefix(r.URL.Path, "/finalize-order/"); ok {
			w.Header().Set("Location", "https://"+r.Host+"/my-order/"+id)
		}
		h.ServeHTTP(w, r)
	})
}

// startDNS answers A queries for domain with 127.0.0.1 over TCP (how pebble asks) and
// returns its address.
func startDNS(t *testing.T, domain string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		for _, q := range r.Question {
			if q.Qtype == dns.TypeA && strings.EqualFold(q.Name, domain+".") {
				m.Answer = append(m.Answer, &dns.A{
					Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
					A:   net.IPv4(127, 0, 0, 1),
				})
			}
		}
		_ = w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return ln.Addr().String()
}
