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

// Slot is the cluster slot of key.
func (c *Cluster) Slot(t testing.TB, key string) int {
	t.Helper()
	got, err := command(c.Nodes[0].Addr(), "CLUSTER KEYSLOT "+key)
	n, perr := strconv.Atoi(strings.TrimPrefix(got, ":"))
	if err != nil || perr != nil {
		t.Fatalf("redistest: CLUSTER KEYSLOT %s: %q, %v", key, got, err)
	}
	return n
}

// MoveSlot gives slot, which must hold no keys, to another primary, as resharding
// does, telling every node (CLUSTER SETSLOT … NODE).
func (c *Cluster) MoveSlot(t testing.TB, slot int) {
	t.Helper()
	ids := make([]string, len(c.Nodes))
	owner := -1
	for i, n := range c.Nodes {
		id, err := command(n.Addr(), "CLUSTER MYID")
		if err != nil {
			t.Fatalf("redistest: CLUSTER MYID: %v", err)
		}
		ids[i] = id
		if got, _ := command(n.Addr(), fmt.Sprintf("CLUSTER COUNTKEYSINSLOT %d", slot)); got != ":0" {
			t.Fatalf("redistest: slot %d holds keys (%s)", slot, got)
		}
	}
	nodes, err := command(c.Nodes[0].Addr(), "CLUSTER NODES")
	if err != nil {
		t.Fatalf("redistest: CLUSTER NODES: %v", err)
	}
	for _, line := range strings.Split(nodes, "\n") {
		f := strings.Fields(line)
		for _, r := range f[min(8, len(f)):] {
			from, to, _ := strings.Cut(r, "-")
			lo, _ := strconv.Atoi(from)
			hi, err := strconv.Atoi(to)
			if err != nil {
				hi = lo
			}
			if lo <= slot && slot <= hi {
				for i, id := range ids {
					if id == f[0] {
						owner = i
					}
				}
			}
		}
	}
	if owner < 0 {
		t.Fatalf("redistest: no node owns slot %d:\n%s", slot, nodes)
	}
	to := (owner + 1) % len(c.Nodes)
	steps := []struct {
		node int
		cmd  string
	}{
		{to, fmt.Sprintf("CLUSTER SETSLOT %d IMPORTING %s", slot, ids[owner])},
		{owner, fmt.Sprintf("CLUSTER SETSLOT %d MIGRATING %s", slot, ids[to])},
		{to, fmt.Sprintf("CLUSTER SETSLOT %d NODE %s", slot, ids[to])},
		{owner, fmt.Sprintf("CLUSTER SETSLOT %d NODE %s", slot, ids[to])},
	}
	for i := range c.Nodes {
		if i != to && i != owner {
			steps = append(steps, struct {
				node int
				cmd  string
			}{i, fmt.Sprintf("CLUSTER SETSLOT %d NODE %s", slot, ids[to])})
		}
	}
	for _, s := range steps {
		if got, err := command(c.Nodes[s.node].Addr(), s.cmd); err != nil || got != "OK" {
			t.Fatalf("redistest: %s: %q, %v", s.cmd, got, err)
		}
	}
}
