//go:build pprofdebug

package program

// Built with -tags pprofdebug, the admin listener (-admin-addr) also serves
// net/http/pprof under /debug/pprof/, for profiling the server under the load tool;
// default builds have no such endpoint.

import (
	"net/http"
	"net/http/pprof"
)

func init() {
	adminRoutes = append(adminRoutes, func(mux *http.ServeMux) {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	})
}
