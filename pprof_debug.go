//go:build pprofdebug

package main

// Built with -tags pprofdebug, the server also serves net/http/pprof on 127.0.0.1:6060
// (loopback only), for profiling it under the load tool; default builds have no such
// endpoint.

import (
	"net/http"
	_ "net/http/pprof"
)

func init() {
	go func() { _ = http.ListenAndServe("127.0.0.1:6060", nil) }()
}
