package program

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// plainHTTP is a small net/http listener beside the public one: the admin listener, or
// the redirect from HTTP to HTTPS.
type plainHTTP struct {
	name string
	ln   net.Listener
	srv  *http.Server
}

func listenPlain(name, addr string, h http.Handler) (*plainHTTP, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", name, addr, err)
	}
	return &plainHTTP{name: name, ln: ln, srv: &http.Server{
		Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
	}}, nil
}

// listenOps sets up TLS and listens on the operators' addresses (admin, redirect),
// closing what it opened if one fails.
func (p *Program) listenOps(cfg Config) error {
	_, port, _ := net.SplitHostPort(p.Addr())
	tlsConf, redirect, err := tlsSetup(cfg, port, p.log)
	if err != nil {
		return err
	}
	p.tls = tlsConf
	if p.admin, err = p.newAdmin(cfg.Ops.AdminAddr); err != nil {
		return err
	}
	if cfg.Ops.RedirectAddr != "" && redirect != nil {
		if p.plain, err = listenPlain("redirect listener", cfg.Ops.RedirectAddr, redirect); err != nil {
			if p.admin != nil {
				p.admin.ln.Close()
			}
			return err
		}
	}
	return nil
}

func (p *Program) serveOps() {
	for _, l := range []*plainHTTP{p.adminHTTP(), p.plain} {
		if l == nil {
			continue
		}
		go func() {
			if err := l.srv.Serve(l.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				p.log.Error(l.name, "err", err)
			}
		}()
		p.log.Info(l.name, "addr", l.ln.Addr().String())
	}
}

func (p *Program) shutdownOps(ctx context.Context) error {
	var errs []error
	for _, l := range []*plainHTTP{p.adminHTTP(), p.plain} {
		if l != nil {
			errs = append(errs, l.srv.Shutdown(ctx))
		}
	}
	return errors.Join(errs...)
}

// RedirectAddr is the address of the HTTP → HTTPS redirect listener, or "".
func (p *Program) RedirectAddr() string {
	if p.plain == nil {
		return ""
	}
	return p.plain.ln.Addr().String()
}

// accessLogger is where request lines go: the server's log, marked, or nil when
// -access-log is off.
func accessLogger(cfg Config, log *slog.Logger) *slog.Logger {
	if !cfg.Ops.AccessLog {
		return nil
	}
	return log.With("log", "access")
}
