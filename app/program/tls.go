package program

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// tlsSetup returns the TLS configuration the public listener serves with, and the
// handler of the plain-HTTP redirect listener; nil, nil without TLS.
func tlsSetup(cfg Config, publicPort string, log *slog.Logger) (*tls.Config, http.Handler, error) {
	o := cfg.Ops
	redirect := redirectToHTTPS(publicPort)
	switch {
	case o.TLSCert != "":
		kp := &keyPair{cert: o.TLSCert, key: o.TLSKey}
		if _, err := kp.load(time.Now()); err != nil {
			return nil, nil, err
		}
		return &tls.Config{
			MinVersion:     tls.VersionTLS12,
			NextProtos:     []string{"http/1.1"},
			GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return kp.load(time.Now()) },
		}, redirect, nil
	case len(o.TLSDomains) > 0:
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			Cache:      autocert.DirCache(filepath.Join(filepath.Dir(cfg.DataPath), "certs")),
			HostPolicy: autocert.HostWhitelist(o.TLSDomains...),
			Email:      o.TLSEmail,
			Client:     &acme.Client{DirectoryURL: o.ACMEDirectory, HTTPClient: o.ACMEHTTP},
		}
		c := m.TLSConfig() // answers tls-alpn-01 challenges, too
		c.MinVersion = tls.VersionTLS12
		c.NextProtos = []string{"http/1.1", acme.ALPNProto}
		// A failed order is worth a line, or HTTPS would just fail with no word why;
		// anybody's handshakes for names not served are not.
		get := c.GetCertificate
		c.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			cert, err := get(hello)
			if err != nil && slices.Contains(o.TLSDomains, strings.ToLower(hello.ServerName)) {
				log.Warn("no certificate", "domain", hello.ServerName, "err", err)
			}
			return cert, err
		}
		return c, m.HTTPHandler(redirect), nil
	}
	return nil, nil, nil
}

// redirectToHTTPS answers every request with 308 to the same URL over HTTPS, on port
// (left out when it is 443). 308 keeps the method and body of a POST.
func redirectToHTTPS(port string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if host == "" || strings.ContainsAny(host, "/\\@") {
			http.Error(w, "missing or bad Host header", http.StatusBadRequest)
			return
		}
		if strings.Contains(host, ":") {
			host = "[" + host + "]" // IPv6 literal
		}
		if port != "443" {
			host += ":" + port
		}
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
}

// keyPair is a certificate and key read from files, read again when either file has
// changed (checked at most once a minute), so a renewed certificate is served without a
// restart. A renewal that cannot be read keeps the old pair and is logged by the TLS
// handshake that fails, never by crashing.
type keyPair struct {
	cert, key string

	mu      sync.Mutex
	pair    *tls.Certificate
	mod     time.Time // the newer modification time of the two files when read
	checked time.Time
}

func (k *keyPair) load(now time.Time) (*tls.Certificate, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.pair != nil && now.Sub(k.checked) < time.Minute {
		return k.pair, nil
	}
	k.checked = now
	var mod time.Time
	for _, f := range []string{k.cert, k.key} {
		st, err := os.Stat(f)
		if err != nil {
			return k.keep(fmt.Errorf("tls: %w", err))
		}
		if st.ModTime().After(mod) {
			mod = st.ModTime()
		}
	}
	if k.pair != nil && mod.Equal(k.mod) {
		return k.pair, nil
	}
	pair, err := tls.LoadX509KeyPair(k.cert, k.key)
	if err != nil {
		return k.keep(fmt.Errorf("tls: load %s and %s: %w", k.cert, k.key, err))
	}
	k.pair, k.mod = &pair, mod
	return k.pair, nil
}

// keep returns the pair already loaded, or err if there is none.
func (k *keyPair) keep(err error) (*tls.Certificate, error) {
	if k.pair != nil {
		return k.pair, nil
	}
	return nil, err
}
