package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tabula/app/program"
	"tabula/collab"
	"tabula/internal/client"
)

func TestGracefulRestartKeepsEverything(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) { c.SnapshotEvery = 7 })
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	for i := range 20 {
		p.commit(fmt.Sprintf("c%d", i), put(rect(fmt.Sprintf("r%d", i%5), float64(i))), patch("r0", map[string]any{"y": float64(i)}))
	}
	want, seq := p.doc.Canonical(), p.doc.Seq
	ts.stop()

	again := startServerWith(t, ts.cfg)
	q := join(t, again.wsURL("/b/", b.ID), 0)
	if q.doc.Seq != seq || q.doc.Canonical() != want {
		t.Fatalf("after restart: seq %d, want %d;\n%s\nwant\n%s", q.doc.Seq, seq, q.doc.Canonical(), want)
	}
	// The old cids are still known: a resent batch is not applied again.
	q.send("c19", put(rect("r4", 19)))
	if m := q.until(func(m *client.Msg) bool { return m.T == "ack" || m.T == "ops" }); m.T != "ack" || m.Seq != seq {
		t.Fatalf("resend after restart answered %s", m.Raw)
	}
}

// TestKill9LosesNoAcknowledgedOp runs the real binary under write load, kills it with
// SIGKILL, restarts it on the same file, and checks that every acknowledged batch is
// there exactly once. Writers then resend what was not acknowledged, as browsers do.
func TestKill9LosesNoAcknowledgedOp(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "tabula")
	if out, err := exec.Command("go", "build", "-o", bin, "tabula").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(t.TempDir(), "tabula.db")
	srv := startBinary(t, bin, data)

	ts := &testServer{URL: "http://" + srv.addr}
	board := createBoardHTTP(t, ts.URL)
	const writers = 4
	var mu sync.Mutex
	acked := map[string]bool{} // cid → acknowledged
	sent := map[string]bool{}
	enough := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	conns := make([]*client.Conn, writers)
	for w := range conns {
		c, _, err := client.Dial("ws://"+srv.addr+"/b/"+board+"/ws", "")
		if err != nil {
			t.Fatal(err)
		}
		defer c.WS.Close()
		if _, err := c.Hello(0, "w", time.Now().Add(wait)); err != nil {
			t.Fatal(err)
		}
		conns[w] = c
	}
	for w, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			go func() { // reader: record acks until the server dies
				for {
					m, err := c.Read(time.Now().Add(wait))
					if err != nil {
						return
					}
					if m.T == "ack" {
						mu.Lock()
						acked[m.CID] = true
						if len(acked) >= 300 {
							once.Do(func() { close(enough) })
						}
						mu.Unlock()
					}
				}
			}()
			for i := 0; ; i++ {
				cid := fmt.Sprintf("w%d-%d", w, i)
				mu.Lock()
				sent[cid] = true
				mu.Unlock()
				if c.Send(map[string]any{"t": "ops", "cid": cid, "ops": []any{put(rect(cid, float64(i)))}}) != nil {
					return // the server is gone
				}
			}
		}()
	}
	select {
	case <-enough:
	case <-time.After(30 * time.Second):
		t.Fatal("the server acknowledged fewer than 300 batches in 30 s")
	}
	srv.kill()
	wg.Wait()

	srv = startBinary(t, bin, data)
	defer srv.kill()
	c, _, err := client.Dial("ws://"+srv.addr+"/b/"+board+"/ws", "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, err := c.Hello(0, "checker", time.Now().Add(wait))
	if err != nil {
		t.Fatal(err)
	}
	doc := client.NewDoc()
	if err := doc.Welcome(w); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for cid := range acked {
		if doc.Els[cid] == nil {
			t.Fatalf("acknowledged batch %s was lost (%d acked, %d on the board)", cid, len(acked), len(doc.Els))
		}
	}
	// Resend everything that was sent, as reconnecting clients do: nothing may apply twice.
	resend := make([]string, 0, len(sent))
	for cid := range sent {
		resend = append(resend, cid)
	}
	window := make(chan struct{}, 256) // unacknowledged batches in flight, as a client keeps
	go func() {
		for _, cid := range resend {
			window <- struct{}{}
			if c.Send(map[string]any{"t": "ops", "cid": cid, "ops": []any{put(rect(cid, -1))}}) != nil {
				return
			}
		}
	}()
	for acks := 0; acks < len(resend); {
		m, err := c.Read(time.Now().Add(wait))
		if err != nil {
			t.Fatal(err)
		}
		switch m.T {
		case "ack":
			acks++
			<-window
		case "ops":
			if err := doc.Apply(m); err != nil {
				t.Fatal(err)
			}
		case "error":
			t.Fatalf("resend refused: %s", m.Raw)
		}
	}
	for cid := range sent {
		el := doc.Els[cid]
		if el == nil || el["v"] != 1.0 {
			t.Fatalf("batch %s: element %v, want exactly one put (v 1)", cid, el)
		}
	}
	t.Logf("%d batches acknowledged before SIGKILL, %d sent; all present once", len(acked), len(sent))
}

type binary struct {
	cmd  *exec.Cmd
	addr string
	done chan error

	mu      sync.Mutex
	lines   []string      // what it logged so far
	newLine chan struct{} // closed and replaced at every line
}

// waitLog waits until the binary has logged a line matching re, failing the test if it
// exits or takes longer than wait.
func (b *binary) waitLog(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.After(wait)
	for seen := 0; ; {
		b.mu.Lock()
		lines, next := b.lines[seen:], b.newLine
		b.mu.Unlock()
		for _, l := range lines {
			if re.MatchString(l) {
				return l
			}
		}
		seen += len(lines)
		select {
		case <-next:
		case err := <-b.done:
			b.done <- err
			b.mu.Lock()
			defer b.mu.Unlock()
			t.Fatalf("tabula exited before logging %q: %v\n%s", re, err, strings.Join(b.lines, "\n"))
		case <-deadline:
			t.Fatalf("tabula did not log %q", re)
		}
	}
}

var listenRE = regexp.MustCompile(`"tabula listening" addr=(\S+)`)

func startBinary(t *testing.T, bin, data string) *binary {
	t.Helper()
	return startCommand(t, exec.Command(bin, "-addr", "127.0.0.1:0", "-data", data))
}

// startCommand starts a command that runs the tabula binary and waits until it listens.
func startCommand(t *testing.T, cmd *exec.Cmd) *binary {
	t.Helper()
	cmd.Env = append(os.Environ(), "TABULA_LOG_FORMAT=text")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b := &binary{cmd: cmd, done: make(chan error, 1), newLine: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			b.mu.Lock()
			b.lines = append(b.lines, sc.Text())
			close(b.newLine)
			b.newLine = make(chan struct{})
			b.mu.Unlock()
			if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		b.done <- cmd.Wait()
	}()
	select {
	case b.addr = <-addr:
	case err := <-b.done:
		t.Fatalf("tabula exited before listening: %v", err)
	case <-time.After(wait):
		cmd.Process.Kill()
		t.Fatal("tabula did not start listening")
	}
	t.Cleanup(b.kill)
	return b
}

func (b *binary) kill() {
	if b.cmd.ProcessState != nil {
		return
	}
	if err := b.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return
	}
	<-b.done
	b.done <- nil // later kills return at once
}

func createBoardHTTP(t *testing.T, base string) string {
	t.Helper()
	loc := postBoard(t, &testServer{URL: base})
	if !collab.ValidBoardID(loc) {
		t.Fatalf("created board id %q", loc)
	}
	return loc
}
