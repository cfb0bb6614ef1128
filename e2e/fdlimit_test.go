package e2e

import (
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// A client that opens connections until the server runs out of file descriptors must
// not stop the server: once those connections close, it serves again. (fasthttp gives up
// serving on the first accept error that is not a timeout, and EMFILE is one.)
func TestServerOutlivesRunningOutOfFiles(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "tabula")
	if out, err := exec.Command("go", "build", "-o", bin, "tabula").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := filepath.Join(t.TempDir(), "tabula.db")
	// The shell lowers the open-file limit (soft and hard, so the Go runtime cannot raise
	// it again) to a number a test can reach, then becomes tabula.
	const limit = 64
	srv := startCommand(t, exec.Command("sh", "-c", `ulimit -n 64 && exec "$0" "$@"`, bin, "-addr", "127.0.0.1:0", "-data", data))
	base := "http://" + srv.addr

	// More connections than the server has files. Each is accepted until the limit, then
	// the rest wait in the backlog while the server's accept fails with EMFILE.
	var conns []net.Conn
	for range 2 * limit {
		c, err := net.DialTimeout("tcp", srv.addr, wait)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		conns = append(conns, c)
	}
	// A request that cannot be accepted until files free up. It must be answered once
	// they do, and the server must still be running meanwhile.
	answered := make(chan error, 1)
	go func() {
		resp, err := (&http.Client{Timeout: wait}).Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				err = &statusError{resp.StatusCode}
			}
		}
		answered <- err
	}()
	srv.waitLog(t, regexp.MustCompile(`cannot accept connections`))
	for _, c := range conns {
		c.Close()
	}
	select {
	case err := <-answered:
		if err != nil {
			t.Fatalf("healthz after the connections closed: %v", err)
		}
	case err := <-srv.done:
		t.Fatalf("tabula exited while out of files: %v", err)
	}
	srv.waitLog(t, regexp.MustCompile(`accepting connections again`))
}

type statusError struct{ code int }

func (e *statusError) Error() string { return http.StatusText(e.code) }
