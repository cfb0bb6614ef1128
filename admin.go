package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// admin is the operators' listener (-admin-addr): metrics, stats and backups, apart
// from the public address so that none of it is reachable from where boards are.
type admin struct {
	p   *Program
	ln  net.Listener
	srv *http.Server
}

// adminRoutes are added to the admin listener's routes by optional parts of the build
// (pprof_debug.go).
var adminRoutes []func(*http.ServeMux)

// newAdmin listens on addr; nil, nil when addr is empty.
func (p *Program) newAdmin(addr string) (*admin, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("admin listener on %s: %w", addr, err)
	}
	reg := p.srv.Registry()
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "tabula_voice_participants", Help: "People in voice calls.",
	}, func() float64 {
		if p.voice == nil {
			return 0
		}
		return float64(p.voice.Stats().People)
	}))
	mux := p.srv.AdminHandler(reg)
	for _, add := range adminRoutes {
		add(mux)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return &admin{p: p, ln: ln, srv: srv}, nil
}

func (a *admin) serve() {
	if err := a.srv.Serve(a.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.p.log.Error("admin listener", "err", err)
	}
}

// AdminAddr is the address of the admin listener, or "" when there is none.
func (p *Program) AdminAddr() string {
	if p.admin == nil {
		return ""
	}
	return p.admin.ln.Addr().String()
}
