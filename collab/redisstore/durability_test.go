package redisstore

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"tabula/collab"
	"tabula/internal/redistest"
)

func entry(seq int64) collab.LogEntry {
	return collab.LogEntry{Seq: seq, CID: "c" + string(rune('0'+seq)), Data: []byte("e")}
}

func newBoard(t *testing.T, s *Store) string {
	t.Helper()
	m := collab.BoardMeta{ID: collab.NewBoardID(), ViewID: collab.NewBoardID()}
	if err := s.CreateBoard(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return m.ID
}

// While Redis is down every call fails (no hang: the timeouts are set); once it is back
// on its append-only file the same store goes on from what was acknowledged.
func TestRedisDownFailsThenRecovers(t *testing.T) {
	ctx := context.Background()
	s, srv := open(t)
	id := newBoard(t, s)
	if err := s.Commit(ctx, []collab.Write{{Board: id, Entries: []collab.LogEntry{entry(1)}}}); err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	if err := s.Commit(ctx, []collab.Write{{Board: id, Entries: []collab.LogEntry{entry(2)}}}); err == nil {
		t.Fatal("a commit succeeded with Redis down")
	}
	if _, _, err := s.Load(ctx, id); err == nil {
		t.Fatal("a load succeeded with Redis down")
	}
	srv.Restart() // its script cache is empty now: the store must load its scripts again
	if err := s.Commit(ctx, []collab.Write{{Board: id, Entries: []collab.LogEntry{entry(2)}}}); err != nil {
		t.Fatalf("commit after Redis came back: %v", err)
	}
	if _, tail, err := s.Load(ctx, id); err != nil || len(tail) != 2 {
		t.Fatalf("after the restart: %d entries, %v; want 2", len(tail), err)
	}
}

// logs captures what the store logs through slog's default logger while f runs.
func logs(t *testing.T, f func()) string {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(old)
	f()
	return buf.String()
}

func TestOpenWarnsWhenRedisIsNotDurable(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		warn bool
	}{
		{"FsyncAlways", nil, false},
		{"FsyncEverySecond", []string{"--appendfsync", "everysec"}, true},
		{"NoAppendOnlyFile", []string{"--appendonly", "no"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := redistest.Start(t, c.args...)
			out := logs(t, func() {
				s, err := Open(context.Background(), srv.URL())
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
			})
			if got := strings.Contains(out, "can be lost"); got != c.warn {
				t.Fatalf("warned %v, want %v; log: %s", got, c.warn, out)
			}
		})
	}
}

func TestOpenRefusesBadURLs(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ url, want string }{
		{"http://127.0.0.1:6379", "want redis://"},
		{"redis://", "want redis://"},
		{"redis://127.0.0.1:1/0?wait=many", "wait="},
		{"redis://127.0.0.1:1/0?wait_timeout=soon", "wait_timeout="},
		{"redis://127.0.0.1:1/0?frobnicate=1", "unexpected option"},
		{"redis://u:secret@127.0.0.1:1/0", "127.0.0.1:1"}, // nothing listens there
		{"redis+cluster://127.0.0.1:1?wait=1", "on a cluster"},
		{"redis+cluster://127.0.0.1:1/3", "database 0 only"},
		{"redis+cluster://u:secret@127.0.0.1:1?addr=127.0.0.1:2", "127.0.0.1:1,127.0.0.1:2"},
	} {
		_, err := Open(ctx, c.url)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%q) = %v, want an error saying %q", c.url, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) shows the password: %v", c.url, err)
		}
	}
}

// With ?wait=1 a commit succeeds only once a replica has it.
func TestWaitForAReplica(t *testing.T) {
	ctx := context.Background()
	primary := redistest.Start(t, "--repl-diskless-sync-delay", "0")
	lonely, err := Open(ctx, primary.URL()+"?wait=1&wait_timeout=50ms")
	if err != nil {
		t.Fatal(err)
	}
	defer lonely.Close()
	id := newBoard(t, &Store{rdb: lonely.rdb, log: lonely.log}) // created without waiting
	err = lonely.Commit(ctx, []collab.Write{{Board: id, Entries: []collab.LogEntry{entry(1)}}})
	if err == nil || !strings.Contains(err.Error(), "0 of 1 replicas") {
		t.Fatalf("commit without a replica: %v, want it refused for want of one", err)
	}
	if errors.Is(err, ErrFenced) {
		t.Fatalf("a missing replica is not a refusal of the board: %v", err)
	}

	host, port, _ := strings.Cut(primary.Addr(), ":")
	replica := redistest.Start(t, "--replicaof", host, port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		info, err := lonely.rdb.Info(ctx, "replication").Result()
		if err == nil && strings.Contains(info, "state=online") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica did not come online: %s", info)
		}
		time.Sleep(20 * time.Millisecond) // polling Redis's state, with a deadline
	}
	waiting, err := Open(ctx, primary.URL()+"?wait=1")
	if err != nil {
		t.Fatal(err)
	}
	defer waiting.Close()
	// The batch the failed commit wrote is there (WAIT does not undo it): the next is 2.
	if err := waiting.Commit(ctx, []collab.Write{{Board: id, Entries: []collab.LogEntry{entry(2)}}}); err != nil {
		t.Fatalf("commit with a replica: %v", err)
	}
	onReplica, err := Open(ctx, replica.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer onReplica.Close()
	if _, tail, err := onReplica.Load(ctx, id); err != nil || len(tail) != 2 {
		t.Fatalf("the replica has %d entries (%v), want 2", len(tail), err)
	}
}
