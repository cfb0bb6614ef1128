package program

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"tabula/collab"
	"tabula/collab/bolt"
	"tabula/collab/migrate"
	"tabula/collab/redisstore"
)

// MigrateMain runs `tabula migrate`: it copies every board, with all its history,
// images and trash state, from one store to another (a bbolt file or a Redis URL
// either way), checks each copy against its source by counts and a SHA-256 of its
// content, and prints a summary. Stop the servers that use either store first.
func MigrateMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tabula migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the store to copy from: a bbolt file (data/tabula.db) or redis://host:port/db")
	to := fs.String("to", "", "the store to copy to: redis://host:port/db or a bbolt file (created if missing)")
	force := fs.Bool("force", false, "copy into a store that already holds boards, replacing those of the same id")
	verbose := fs.Bool("v", false, "print a line per board")
	timeout := fs.Duration("timeout", 24*time.Hour, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: tabula migrate -from data/tabula.db -to redis://127.0.0.1:6379/0\n       tabula migrate -from redis://127.0.0.1:6379/0 -to tabula.db\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	fail := func(err error) int {
		fmt.Fprintln(stderr, "tabula migrate:", err)
		return 1
	}
	src, err := openStore(ctx, *from, true)
	if err != nil {
		return fail(fmt.Errorf("-from: %w", err))
	}
	defer src.Close()
	dst, err := openStore(ctx, *to, false)
	if err != nil {
		return fail(fmt.Errorf("-to: %w", err))
	}
	defer dst.Close()
	var progress io.Writer
	if *verbose {
		progress = stdout
	}
	start := time.Now()
	sum, err := migrate.Copy(ctx, src, dst, *force, progress)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "tabula migrate: copied and verified %d boards (%d log entries, %d checkpoints, %d batch ids, %d images of %d bytes; %d replaced) in %v\n",
		sum.Boards, sum.Entries, sum.Checkpoints, sum.Batches, sum.Images, sum.ImageBytes, sum.Replaced, time.Since(start).Round(time.Millisecond))
	return 0
}

// openStore opens a Redis URL or a bbolt file; a source file must exist.
func openStore(ctx context.Context, where string, mustExist bool) (collab.Store, error) {
	if strings.Contains(where, "://") {
		return redisstore.Open(ctx, where)
	}
	if mustExist {
		fi, err := os.Stat(where)
		if err != nil {
			return nil, fmt.Errorf("no bbolt file at %s: %w", where, err)
		}
		if fi.IsDir() {
			return nil, fmt.Errorf("%s is a directory, not a bbolt file", where)
		}
	}
	return bolt.Open(where)
}
