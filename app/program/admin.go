package program

import (
	"net/http"

	"tabula/app"

	"github.com/prometheus/client_golang/prometheus"
)

// admin is the operators' listener (-admin-addr): metrics, stats and backups, apart
// from the public address so that none of it is reachable from where boards are.
type admin = plainHTTP

// adminRoutes are added to the admin listener's routes by optional parts of the build
// (pprof_debug.go).
var adminRoutes []func(*http.ServeMux)

// newAdmin listens on addr; nil, nil when addr is empty.
func (p *Program) newAdmin(addr string) (*admin, error) {
	if addr == "" {
		return nil, nil
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
	if p.store != nil { // with -redis, back up Redis (docs/scaling.md)
		mux.Handle("GET /backup", app.BackupHandler(p.store.Backup, p.log))
	}
	for _, add := range adminRoutes {
		add(mux)
	}
	return listenPlain("admin listener", addr, mux)
}

func (p *Program) adminHTTP() *plainHTTP { return p.admin }

// AdminAddr is the address of the admin listener, or "" when there is none.
func (p *Program) AdminAddr() string {
	if p.admin == nil {
		return ""
	}
	return p.admin.ln.Addr().String()
}
