// Package loadtest is Tabula's load tool, run as `tabula loadtest`: it connects many
// WebSocket clients to any Tabula server, has some of them draw, and measures how fast
// and how completely the server delivers what they draw to everyone else, and what that
// costs the server. See Run for a run, Main for the command line.
package loadtest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
)

// Main runs the command line `tabula loadtest [flags]` or `tabula loadtest chart …`
// and returns the process exit code: 0 when every run finished with no error, drop,
// gap or missing delivery, 1 when a run found one (the results are still written), 2 for
// bad usage.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "chart" {
		return chartMain(args[1:], stderr)
	}
	if len(args) > 0 && args[0] == "voice" {
		return voiceMain(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "presence" {
		return presenceMain(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "idle" {
		return idleMain(args[1:], stdout, stderr)
	}
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if o.prof != "" {
		f, err := os.Create(o.prof)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(stderr, "loadtest: -cpuprofile:", err)
			return 2
		}
		defer func() {
			pprof.StopCPUProfile()
			if err := f.Close(); err != nil {
				fmt.Fprintln(stderr, "loadtest: -cpuprofile:", err)
			}
		}()
	}
	counts := o.sweep
	if len(counts) == 0 {
		counts = []int{o.cfg.Clients}
	}
	var res Results
	code := 0
	for i, n := range counts {
		cfg := o.cfg
		cfg.Clients = n
		cfg.Writers = min(cfg.Writers, n)
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		rep, err := Run(ctx, cfg, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "loadtest:", err)
			return 1
		}
		if err := rep.writeTable(stdout); err != nil {
			return 1
		}
		if !rep.clean() {
			code = 1
		}
		res.Runs = append(res.Runs, rep)
		if ctx.Err() != nil {
			break
		}
	}
	if o.json != "" {
		if err := writeJSON(o.json, res); err != nil {
			fmt.Fprintln(stderr, "loadtest:", err)
			return 1
		}
	}
	return code
}

// clean reports whether the run saw no error, drop, refused or unacknowledged batch,
// and no broadcast missing or out of order.
func (rep *Report) clean() bool {
	k := rep.Consistency
	return rep.Errors.Total == 0 && rep.Drops.Total == 0 && rep.Batches.Refused == 0 && rep.Batches.Unacked == 0 &&
		k.SeqGaps == 0 && k.SeqRepeats == 0 && k.Incomplete == 0
}
