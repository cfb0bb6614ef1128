package main

import (
	"flag"
	"fmt"
	"net"
)

// OpsConfig is how the server is operated: its admin listener (README, "Operating").
type OpsConfig struct {
	// AdminAddr serves /metrics, /debug/stats and /backup; empty turns it off.
	AdminAddr string
}

// opsFlags registers the operations flags on fs, with defaults from getenv. It returns
// a function to call after fs.Parse, which checks what was given.
func opsFlags(fs *flag.FlagSet, getenv func(string) string, o *OpsConfig) func() error {
	str := func(p *string, name, env, def, help string) {
		if e, ok := lookup(getenv, env); ok {
			def = e
		}
		fs.StringVar(p, name, def, help+" ($"+env+")")
	}
	str(&o.AdminAddr, "admin-addr", "TABULA_ADMIN_ADDR", "127.0.0.1:9090", "address of the admin listener (metrics, stats, backup); keep it on loopback or a private network; empty turns it off")
	return func() error {
		if o.AdminAddr == "off" {
			o.AdminAddr = ""
		}
		if o.AdminAddr != "" {
			if _, _, err := net.SplitHostPort(o.AdminAddr); err != nil {
				return fmt.Errorf("-admin-addr must be host:port like 127.0.0.1:9090, not %q", o.AdminAddr)
			}
		}
		return nil
	}
}

// lookup reads an environment variable that may be set to "" on purpose (to turn
// something off). getenv cannot tell empty from unset, so "off" stands for empty:
// TABULA_ADMIN_ADDR=off turns the admin listener off.
func lookup(getenv func(string) string, env string) (string, bool) {
	v := getenv(env)
	if v == "off" {
		return "", true
	}
	return v, v != ""
}
