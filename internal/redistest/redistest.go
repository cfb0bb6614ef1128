// Package redistest starts a real redis-server for tests: on a free loopback port, with
// its files in the test's temporary directory, and durable as shared mode wants it (an
// append-only file fsynced before every reply, no RDB snapshots), so a test can kill it
// and start it again on the same files and see exactly what was acknowledged.
//
// Without redis-server on PATH the test is skipped (and counted for testtool.Main's
// summary); on CI (CI=true) it fails instead, as for every tool testtool finds.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tabula/internal/testtool"
)

// Tool is redis-server, as testtool.Find looks for it.
var Tool = testtool.Tool{Kind: "Redis", Names: []string{"redis-server"}, Install: "apt-get install redis-server"}

// startTimeout bounds how long Start and Restart wait for redis-server to answer PING,
// replaying its append-only file included.
const startTimeout = 30 * time.Second

// Server is a redis-server a test started. Its methods are safe for concurrent use.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	args []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// Start starts a redis-server for t on a free 127.0.0.1 port, with t.TempDir() as its
// directory, appendonly yes, appendfsync always and no RDB saves, and returns once it
// answers PING. Extra are more redis-server options ("--appendfsync", "everysec"),
// which win over the defaults. The server is killed when t ends.
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	s := &Server{t: t, bin: testtool.Find(t, Tool), dir: t.TempDir(), args: extra}
	t.Cleanup(s.Kill)
	// A free port can be taken between our probe and redis-server's bind: try a few.
	var err error
	for range 5 {
		if s.port, err = freePort(); err != nil {
			t.Fatalf("redistest: %v", err)
		}
		if err = s.start(); err == nil {
			return s
		}
	}
	t.Fatalf("redistest: %v", err)
	return nil
}

// URL is the server's database 0 as a redis:// URL.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Dir is the server's directory, which holds its append-only file and its log.
func (s *Server) Dir() string { return s.dir }

// Kill kills the server with SIGKILL, as a crash would, and returns once it has exited.
// It does nothing if the server is not running.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
	s.cmd, s.done = nil, nil
}

// Restart kills the server if it runs and starts it again on the same port and
// directory, so it replays its append-only file; it returns once the server answers
// PING, that is once the file is loaded.
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	if err := s.start(); err != nil {
		s.t.Fatalf("redistest: restart: %v", err)
	}
}

// start runs redis-server and waits until it answers PING or exits.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	logFile := filepath.Join(s.dir, "redis.log")
	args := append([]string{
		"--bind", "127.0.0.1",
		"--port", strconv.Itoa(s.port),
		"--dir", s.dir,
		"--logfile", logFile,
		"--daemonize", "no",
		"--protected-mode", "no",
		"--appendonly", "yes",
		"--appendfsync", "always",
		"--save", "",
	}, s.args...)
	cmd := exec.Command(s.bin, args...)
	setPdeathsig(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()

	deadline := time.Now().Add(startTimeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if ping(s.Addr()) == nil {
			s.cmd, s.done = cmd, done
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("redis-server on port %d exited (%v): %s", s.port, cmd.ProcessState, tail(logFile))
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			return fmt.Errorf("redis-server on port %d did not answer PING within %v: %s", s.port, startTimeout, tail(logFile))
		}
	}
}

// ping sends PING and wants PONG: a server still loading its file answers -LOADING.
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail is the end of redis-server's log, to say why it did not start.
func tail(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return "no log: " + err.Error()
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
