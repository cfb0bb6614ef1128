package program

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tabula/collab"
	"tabula/collab/bolt"
	"tabula/internal/redistest"
)

func TestMigrateCommand(t *testing.T) {
	srv := redistest.Start(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "tabula.db")
	s, err := bolt.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m := collab.BoardMeta{ID: collab.NewBoardID(), ViewID: collab.NewBoardID(), Title: "to move"}
	if err := s.CreateBoard(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, []collab.Write{{Board: m.ID, Entries: []collab.LogEntry{{Seq: 1, CID: "c1", Data: []byte("{}")}}}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	notDB := filepath.Join(dir, "notes.txt")
	os.WriteFile(notDB, bytes.Repeat([]byte("not a database "), 500), 0o600)

	run := func(args ...string) (int, string) {
		var out bytes.Buffer
		code := MigrateMain(args, &out, &out)
		return code, out.String()
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"ToRedis", []string{"-from", file, "-to", srv.URL()}, 0, "copied and verified 1 boards (1 log entries"},
		{"NotIntoAFullStore", []string{"-from", file, "-to", srv.URL()}, 1, "not empty: it holds 1 boards"},
		{"Forced", []string{"-from", file, "-to", srv.URL(), "-force", "-v"}, 0, "1 replaced"},
		{"BackToAFile", []string{"-from", srv.URL(), "-to", filepath.Join(dir, "back.db")}, 0, "copied and verified 1 boards"},
		{"NoSuchFile", []string{"-from", filepath.Join(dir, "nope.db"), "-to", srv.URL()}, 1, "-from: no bbolt file at"},
		{"NotABoltFile", []string{"-from", notDB, "-to", filepath.Join(dir, "x.db")}, 1, "-from: open"},
		{"BadURL", []string{"-from", file, "-to", "redis://127.0.0.1:1/0?wait=lots"}, 1, "-to: redis URL: wait="},
		{"MissingFlag", []string{"-from", file}, 2, "usage: tabula migrate"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out := run(c.args...)
			if code != c.code || !strings.Contains(out, c.want) {
				t.Fatalf("exit %d, output:\n%s\nwant exit %d and %q", code, out, c.code, c.want)
			}
		})
	}
}
