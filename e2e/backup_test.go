package e2e

import (
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tabula/app/program"
	"tabula/internal/client"
)

// TestBackupUnderLoad takes a backup with `tabula backup` while writers on several
// boards commit batches over WebSockets as fast as they are acknowledged, then starts a
// second server on the copy: every batch acknowledged before the backup began is there.
func TestBackupUnderLoad(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	const boards = 4
	ids := make([]string, boards)
	for i := range ids {
		ids[i] = postBoard(t, ts)
	}

	var mu sync.Mutex
	acked := make([]map[string]int64, boards) // board → element id → seq of its batch
	total, enough := 0, make(chan struct{})   // closed at 200 acknowledged batches
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, boards)
	for i, id := range ids {
		acked[i] = map[string]int64{}
		c, _, err := client.Dial(ts.wsURL("/b/", id), "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.WS.Close() })
		if _, err := c.Hello(0, "writer", time.Now().Add(wait)); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- write(c, i, stop, func(el string, seq int64) {
				mu.Lock()
				acked[i][el] = seq
				if total++; total == 200 {
					close(enough)
				}
				mu.Unlock()
			})
		}()
	}
	ackedNow := func() (n int, copy []map[string]int64) {
		mu.Lock()
		defer mu.Unlock()
		for _, a := range acked {
			n += len(a)
			copy = append(copy, maps.Clone(a))
		}
		return n, copy
	}
	select {
	case <-enough:
	case err := <-errs:
		t.Fatalf("a writer stopped: %v", err)
	case <-time.After(wait):
		n, _ := ackedNow()
		t.Fatalf("only %d batches acknowledged", n)
	}

	n, before := ackedNow()
	out := filepath.Join(t.TempDir(), "backup.db")
	if code := program.BackupMain([]string{"-admin", "http://" + ts.AdminAddr(), "-out", out}, io.Discard); code != 0 {
		t.Fatalf("tabula backup: exit %d", code)
	}
	after, _ := ackedNow()
	close(stop)
	wg.Wait()
	for range ids {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d batches acknowledged before the backup, %d when it had been written", n, after)

	restored := startServer(t, func(c *program.Config) { c.DataPath = out })
	for i, id := range ids {
		p := join(t, restored.wsURL("/b/", id), 0)
		for el, seq := range before[i] {
			if p.doc.Els[el] == nil {
				t.Errorf("board %d: element %s of batch %d, acknowledged before the backup, missing from it", i, el, seq)
			}
		}
	}
}

// write commits a batch of one new element at a time on c until stop is closed, calling
// acked with each element and its batch's seq once the ack arrives.
func write(c *client.Conn, board int, stop <-chan struct{}, acked func(el string, seq int64)) error {
	for n := 0; ; n++ {
		select {
		case <-stop:
			return nil
		default:
		}
		cid, el := fmt.Sprintf("c%d-%d", board, n), fmt.Sprintf("e%d", n)
		if err := c.Send(map[string]any{"t": "ops", "cid": cid, "ops": []any{put(rect(el, float64(n)))}}); err != nil {
			return err
		}
		for {
			m, err := c.Read(time.Now().Add(wait))
			if err != nil {
				return fmt.Errorf("board %d: %w", board, err)
			}
			if m.T == "error" {
				return fmt.Errorf("board %d: batch %s refused: %s", board, cid, m.Message)
			}
			if m.T == "ack" && m.CID == cid {
				acked(el, m.Seq)
				break
			}
		}
	}
}
