package program

import (
	"errors"
	"fmt"
	"net"
	"net/http"

	"golang.org/x/crypto/acme"
)

// OpsConfig is how the server is operated: its admin listener and TLS (README,
// "Deploying").
type OpsConfig struct {
	// AdminAddr serves /metrics, /debug/stats and /backup; empty turns it off.
	AdminAddr string
	// TLSCert and TLSKey are PEM files; TLSDomains get certificates from ACME instead.
	TLSCert, TLSKey string
	TLSDomains      []string
	TLSEmail        string
	ACMEDirectory   string
	// RedirectAddr answers plain HTTP with a redirect to HTTPS (and ACME's http-01
	// challenges); empty: none.
	RedirectAddr string
	// Version prints the version and exits.
	Version bool
	// AccessLog logs every HTTP request.
	AccessLog bool
	// ACMEHTTP is not a flag: tests reach their ACME server with their own client
	// (nil: the default client).
	ACMEHTTP *http.Client
}

// opsFlags registers the operations flags on f. It returns a function to call after
// f.parse, which checks what was given.
func opsFlags(f *envFlags, o *OpsConfig) func() error {
	str := f.str
	str(&o.AdminAddr, "admin-addr", "TABULA_ADMIN_ADDR", "127.0.0.1:8081", "address of the admin listener (metrics, stats, backup); keep it on loopback or a private network; empty turns it off")
	var domains string
	str(&o.TLSCert, "tls-cert", "TABULA_TLS_CERT", "", "PEM certificate (chain) file: serve HTTPS with it and -tls-key; reread when it changes")
	str(&o.TLSKey, "tls-key", "TABULA_TLS_KEY", "", "PEM private key file for -tls-cert")
	str(&domains, "tls-domain", "TABULA_TLS_DOMAIN", "", "comma-separated domain names to serve HTTPS for with automatic certificates (ACME, Let's Encrypt), kept in a certs directory beside -data; needs ports 443 and 80 reachable")
	str(&o.TLSEmail, "tls-email", "TABULA_TLS_EMAIL", "", "contact address given to the ACME CA for -tls-domain (expiry notices)")
	str(&o.ACMEDirectory, "acme-directory", "TABULA_ACME_DIRECTORY", acme.LetsEncryptURL, "ACME directory URL for -tls-domain, e.g. Let's Encrypt's staging server")
	str(&o.RedirectAddr, "http-redirect-addr", "TABULA_HTTP_REDIRECT_ADDR", "", "address answering plain HTTP with a redirect to HTTPS (default :80 with -tls-domain, none otherwise; off: none)")
	f.fs.BoolVar(&o.Version, "version", false, "print the version and exit")
	f.onOff(&o.AccessLog, "access-log", "TABULA_ACCESS_LOG", true, "log every HTTP request (method, path with board ids redacted, status, bytes, time, request id): on or off")
	return func() error {
		o.TLSDomains = splitList(domains)
		redirectSet := o.RedirectAddr != ""
		if o.RedirectAddr == "off" {
			o.RedirectAddr = ""
		}
		switch {
		case (o.TLSCert == "") != (o.TLSKey == ""):
			return errors.New("-tls-cert and -tls-key go together")
		case o.TLSCert != "" && len(o.TLSDomains) > 0:
			return errors.New("-tls-domain gets its own certificates: leave out -tls-cert and -tls-key")
		case o.RedirectAddr != "" && o.TLSCert == "" && len(o.TLSDomains) == 0:
			return errors.New("-http-redirect-addr redirects to HTTPS: it needs -tls-cert or -tls-domain")
		case len(o.TLSDomains) > 0 && !redirectSet:
			o.RedirectAddr = ":80"
		}
		if o.AdminAddr == "off" {
			o.AdminAddr = ""
		}
		if o.AdminAddr != "" {
			if _, _, err := net.SplitHostPort(o.AdminAddr); err != nil {
				return fmt.Errorf("-admin-addr must be host:port like 127.0.0.1:8081, not %q", o.AdminAddr)
			}
		}
		return nil
	}
}
