// Tabula is a self-hosted, real-time collaborative whiteboard. main wires the parts
// together; everything else lives in app (HTTP edge) and collab (the domain).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"tabula/loadtest"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 && args[0] == "loadtest" {
		return loadtest.Main(args[1:], os.Stdout, os.Stderr)
	}
	if len(args) > 0 && args[0] == "backup" {
		return backupMain(args[1:], os.Stderr)
	}
	cfg, err := parseConfig(args, osGetenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tabula:", err)
		return 2
	}
	if cfg.Ops.Version {
		fmt.Println(buildVersion())
		return 0
	}
	log := newLogger(cfg, os.Stderr)
	p, err := NewProgram(cfg, log)
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = p.Run(ctx)
	if cerr := p.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		log.Error("stopped", "err", err)
		return 1
	}
	return 0
}
