package app

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tabula/collab"
	"tabula/collab/bolt"
	"tabula/internal/testtool"
)

// testServer is a real Server over a real bbolt store, on a loopback port.
type testServer struct {
	*Server
	URL string
	log *testtool.LogBuffer
}

// startTestServer serves store (nil: a fresh bbolt file) with cfg on 127.0.0.1.
func startTestServer(t *testing.T, store collab.Store, cfg Config) *testServer {
	t.Helper()
	if store == nil {
		b, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		store = b
	}
	logs := &testtool.LogBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	sc := collab.DefaultConfig()
	sc.Logger = log
	svc := collab.NewService(store, sc)
	cfg.Logger = log
	srv, err := New(svc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		svc.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return &testServer{Server: srv, URL: "http://" + ln.Addr().String(), log: logs}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func logHas(ts *testServer, parts ...string) bool {
	s := ts.log.String()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
