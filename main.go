// Tabula is a self-hosted, real-time collaborative whiteboard. main only wires: it reads
// the configuration, starts the program (app/program: store, collab service, HTTP edge)
// and stops it on a signal. `tabula backup`, `tabula migrate` and `tabula loadtest` are subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"tabula/app/program"
	"tabula/internal/loadtest"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 && args[0] == "loadtest" {
		return loadtest.Main(args[1:], os.Stdout, os.Stderr)
	}
	if len(args) > 0 && args[0] == "backup" {
		return program.BackupMain(args[1:], os.Stderr)
	}
	if len(args) > 0 && args[0] == "migrate" {
		return program.MigrateMain(args[1:], os.Stdout, os.Stderr)
	}
	cfg, err := program.ParseConfig(args, os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tabula:", err)
		return 2
	}
	if cfg.Ops.Version {
		fmt.Println(program.Version())
		return 0
	}
	log := program.NewLogger(cfg, os.Stderr)
	p, err := program.New(cfg, log)
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
