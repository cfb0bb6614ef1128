package redistest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"tabula/internal/testtool"
)

// CLI is redis-cli, which StartCluster uses to make servers one cluster.
var CLI = testtool.Tool{Kind: "Redis", Names: []string{"redis-cli"}, Install: "apt-get install redis-tools"}

// Cluster is a Redis Cluster a test started: three primaries without replicas, each a
// Server as Start makes them (durable, in its own temporary directory).
type Cluster struct {
	Nodes []*Server
}

// StartCluster starts three redis-servers with cluster mode on, gives them all 16384
// slots with redis-cli --cluster create, and returns once every node says
// cluster_state:ok. Without redis-server or redis-cli the test is skipped (failed on
// CI), as by Start. The servers are killed when t ends.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	testtool.Find(t, Tool)
	cli := testtool.Find(t, CLI)
	c := &Cluster{}
	for range 3 {
		c.Nodes = append(c.Nodes, Start(t, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"))
	}
	args := []string{"--cluster", "create"}
	for _, n := range c.Nodes {
		args = append(args, n.Addr())
	}
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redistest: redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	deadline := time.Now().Add(startTimeout)
	for _, n := range c.Nodes {
		for {
			info, err := command(n.Addr(), "CLUSTER INFO")
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("redistest: the cluster is not ok on %s after %v: %v\n%s", n.Addr(), startTimeout, err, info)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return c
}

// URL is the cluster as a redis+cluster:// URL that names every node.
func (c *Cluster) URL() string {
	u, sep := "redis+cluster://"+c.Nodes[0].Addr(), "?"
	for _, n := range c.Nodes[1:] {
		u, sep = u+sep+"addr="+n.Addr(), "&"
	}
	return u
}

// Flush deletes every key on every node, so that a test can start afresh on the same
// cluster.
func (c *Cluster) Flush(t testing.TB) {
	t.Helper()
	for _, n := range c.Nodes {
		if got, err := command(n.Addr(), "FLUSHALL"); err != nil || got != "OK" {
			t.Fatalf("redistest: FLUSHALL on %s: %q, %v", n.Addr(), got, err)
		}
	}
}

// command sends one inline command and returns its reply: a status line, or a bulk
// string's content. An error reply is an error.
func command(addr, cmd string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte(cmd + "\r\n")); err != nil {
		return "", err
	}
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	switch {
	case strings.HasPrefix(line, "-"):
		return "", fmt.Errorf("%s: %s", cmd, line[1:])
	case strings.HasPrefix(line, "$"):
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", fmt.Errorf("%s: reply %q", cmd, line)
		}
		buf := make([]byte, n)
		_, err = io.ReadFull(r, buf)
		return string(buf), err
	}
	return strings.TrimPrefix(line, "+"), nil
}
