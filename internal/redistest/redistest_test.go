package redistest

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"tabula/internal/testtool"
)

func TestMain(m *testing.M) { testtool.Main(m) }

// do sends one inline command and returns the first line of the reply.
func do(t *testing.T, addr, cmd string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte(cmd + "\r\n")); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(line, "$") && line != "$-1\r\n" {
		line, err = r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
	}
	return strings.TrimSpace(line)
}

func TestKillKeepsWhatWasAcknowledged(t *testing.T) {
	s := Start(t)
	if !strings.HasPrefix(s.URL(), "redis://127.0.0.1:") || !strings.HasSuffix(s.URL(), "/0") {
		t.Fatalf("URL %q", s.URL())
	}
	if got := do(t, s.Addr(), "SET board acked"); got != "+OK" {
		t.Fatalf("SET: %q", got)
	}
	s.Kill()
	if _, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
		t.Fatal("the killed server still accepts connections")
	}
	s.Restart()
	if got := do(t, s.Addr(), "GET board"); got != "acked" {
		t.Fatalf("after a kill and a restart, GET board = %q, want the acknowledged value", got)
	}
	if got := do(t, s.Addr(), "CONFIG GET appendfsync"); got != "*2" {
		t.Fatalf("CONFIG GET: %q", got)
	}
}

func TestExtraOptionsWin(t *testing.T) {
	s := Start(t, "--appendonly", "no")
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	conn.Write([]byte("CONFIG GET appendonly\r\n"))
	r := bufio.NewReader(conn)
	var lines []string
	for range 5 {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.TrimSpace(l))
	}
	if lines[4] != "no" {
		t.Fatalf("appendonly = %q, want no (the extra option)", lines[4])
	}
}

func TestTwoServersApart(t *testing.T) {
	a, b := Start(t), Start(t)
	if a.Addr() == b.Addr() || a.Dir() == b.Dir() {
		t.Fatalf("two servers share %s / %s", a.Addr(), a.Dir())
	}
	do(t, a.Addr(), "SET k a")
	if got := do(t, b.Addr(), "GET k"); got != "$-1" {
		t.Fatalf("b sees a's key: %q", got)
	}
}

// StartCluster makes three servers one cluster that holds every slot.
func TestStartCluster(t *testing.T) {
	c := StartCluster(t)
	for _, n := range c.Nodes {
		info, err := command(n.Addr(), "CLUSTER INFO")
		if err != nil || !strings.Contains(info, "cluster_slots_assigned:16384") || !strings.Contains(info, "cluster_known_nodes:3") {
			t.Fatalf("CLUSTER INFO on %s: %v\n%s", n.Addr(), err, info)
		}
	}
	if u := c.URL(); !strings.HasPrefix(u, "redis+cluster://") || strings.Count(u, "addr=") != 2 {
		t.Fatalf("URL %s", u)
	}
	c.Flush(t)
}
