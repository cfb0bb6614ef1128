package program

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// BackupMain runs `tabula backup`: it fetches a consistent copy of a running server's
// data file from its admin listener, checks that the copy is a whole bbolt file, and
// only then puts it at -out. Start a server with -data on the copy to restore it.
func BackupMain(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("tabula backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	admin := fs.String("admin", "http://127.0.0.1:8081", "base URL of the server's admin listener (its -admin-addr)")
	out := fs.String("out", "", "file to write the copy to (replaced if it exists)")
	timeout := fs.Duration("timeout", time.Hour, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: tabula backup -admin http://127.0.0.1:8081 -out tabula-backup.db\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	n, err := backup(ctx, strings.TrimRight(*admin, "/")+"/backup", *out)
	if err != nil {
		fmt.Fprintln(stderr, "tabula backup:", err)
		return 1
	}
	fmt.Fprintf(stderr, "tabula backup: %d bytes written to %s\n", n, *out)
	return 0
}

// backup downloads url to a temporary file beside out, checks it, syncs it and renames
// it to out, so that out is never a partial copy.
func backup(ctx context.Context, url, out string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return 0, fmt.Errorf("GET %s: %s %s", url, resp.Status, strings.TrimSpace(string(b)))
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), filepath.Base(out)+".partial-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing left to remove
	n, err := io.Copy(tmp, resp.Body)
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = fmt.Errorf("copy cut short: %d of %d bytes", n, resp.ContentLength)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("download: %w", err)
	}
	if err := checkBolt(tmp.Name()); err != nil {
		return n, fmt.Errorf("the copy does not check out: %w", err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return n, err
	}
	return n, syncDir(filepath.Dir(out))
}

// checkBolt opens path read-only and checks every page of it.
func checkBolt(path string) error {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(tx *bbolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
