package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"tabula/internal/testtool"
)

// The multi-node tests run the real program as separate processes — the tabula binary,
// built once for the whole test binary — on one Redis, behind a real HAProxy, so that a
// node can be killed with SIGKILL as a machine dies: no deferred code, no goodbye to
// Redis, its sockets reset by the kernel.

// haproxyTool is Debian's haproxy, as testtool.Find looks for it: Debian puts it in
// /usr/sbin, which is not on a normal user's PATH.
var haproxyTool = testtool.Tool{Kind: "cluster", Names: []string{"haproxy", "/usr/sbin/haproxy"}, Install: "apt-get install haproxy"}

// built is the tabula binary, built on first use by tabulaBinary and removed by TestMain.
var built struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// tabulaBinary builds the program (the module's main package) once per test binary and
// returns its path. Under -race the program is built with -race too, so that the
// nodes' own code is checked while the multi-node tests run it; a node that finds a
// race exits with status 66 and its report in its log.
func tabulaBinary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "tabula-e2e-")
		if built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "tabula")
		args := []string{"build", "-o", built.path}
		if raceBuild {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, ".")...)
		cmd.Dir = ".." // the module's root: e2e is one level down
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// removeBuilt removes the binary tabulaBinary built, if it did.
func removeBuilt() {
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
}

// freeLoopbackPort returns a TCP port on 127.0.0.1 free a moment ago. The callers start
// their process on it and fail clearly, naming the port, if another took it meanwhile.
func freeLoopbackPort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// proc is a process a test started. Only these are ever signalled, by their pid.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string // stdout and stderr go here
	done chan struct{}
	err  error // set when done is closed
}

// startProc starts bin with args, its output in a file under dir.
func startProc(t testing.TB, name, dir, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, log: filepath.Join(dir, name+".log"), done: make(chan struct{})}
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	p.cmd.Env = append(os.Environ(), "TABULA_REDIS_URL=") // only -redis counts
	setPdeathsig(p.cmd)
	if err := p.cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill9 kills the process with SIGKILL and waits until it is gone.
func (p *proc) kill9() {
	if !p.exited() {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

// stop asks the process to stop (SIGTERM) and kills it if it has not within a while.
func (p *proc) stop() {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.kill9()
	}
}

// tail is the end of the process's log, for failure messages.
func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// node is one tabula process of a cluster.
type node struct {
	i     int
	port  int // its public listener; the same across restarts
	admin int
	data  string
	proc  *proc
}

// URL is the node's own base URL, bypassing the balancer.
func (n *node) URL() string { return "http://127.0.0.1:" + strconv.Itoa(n.port) }

// cluster is N tabula nodes on one Redis behind one HAProxy.
type cluster struct {
	t     testing.TB
	bin   string
	dir   string
	redis string // the nodes' -redis URL; empty: each node on its own bbolt file
	extra []string
	mu    sync.Mutex
	nodes []*node
	lb    *balancer
}

// startCluster starts n nodes sharing redisURL, each with extra flags after the
// cluster's own, and an HAProxy in front of them; it returns once every node answers
// /readyz and the balancer forwards. Everything is stopped when t ends.
func startCluster(t testing.TB, n int, redisURL string, extra ...string) *cluster {
	t.Helper()
	c := &cluster{t: t, bin: tabulaBinary(t), dir: t.TempDir(), redis: redisURL, extra: extra}
	for i := range n {
		c.nodes = append(c.nodes, &node{i: i, port: freeLoopbackPort(t), admin: freeLoopbackPort(t), data: filepath.Join(c.dir, fmt.Sprintf("node%d", i), "tabula.db")})
	}
	t.Cleanup(c.stop)
	var wg sync.WaitGroup
	for i := range n {
		c.launch(i)
	}
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = c.waitReady(i) }()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v\n%s", i, err, c.nodes[i].proc.tail())
		}
	}
	c.lb = startBalancer(t, c.dir, c.nodes)
	return c
}

// args are node i's flags: its own addresses and data file, the shared Redis, limits
// per client address off (every client of a test is on loopback), and voice on loopback
// with ICE timeouts short enough that a vanished peer goes in seconds.
func (c *cluster) args(i int) []string {
	n := c.nodes[i]
	addr := "127.0.0.1:" + strconv.Itoa(n.port)
	a := []string{
		"-addr", addr,
		"-admin-addr", "127.0.0.1:" + strconv.Itoa(n.admin),
		"-data", n.data,
		"-log-format", "text", "-log-level", "info",
		"-access-log", "off",
		"-proxy-header", "X-Forwarded-For",
		"-max-sockets-per-ip", "100000", "-max-streams-per-ip", "100000",
		"-board-rate", "0", "-op-rate", "0", "-addr-op-rate", "0", "-image-rate", "0",
		"-voice-loopback", "on",
	}
	if c.redis != "" {
		a = append(a, "-redis", c.redis, "-node-addr", addr)
	}
	return append(a, c.extra...)
}

func (c *cluster) launch(i int) {
	c.t.Helper()
	if err := os.MkdirAll(filepath.Dir(c.nodes[i].data), 0o755); err != nil {
		c.t.Fatal(err)
	}
	c.nodes[i].proc = startProc(c.t, fmt.Sprintf("node%d", i), c.dir, c.bin, c.args(i)...)
}

// waitReady waits until node i answers /readyz with 200.
func (c *cluster) waitReady(i int) error {
	n := c.nodes[i]
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if n.proc.exited() {
			return fmt.Errorf("exited before it was ready: %v", n.proc.err)
		}
		resp, err := hc.Get(n.URL() + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready on %s after 30 s (last: %v)", n.URL(), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// URL is the balancer's base URL, where people arrive.
func (c *cluster) URL() string { return c.lb.URL() }

// node returns node i.
func (c *cluster) node(i int) *node {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nodes[i]
}

// Kill9 kills node i with SIGKILL, as a machine that dies.
func (c *cluster) Kill9(i int) {
	c.node(i).proc.kill9()
}

// Restart starts node i again, on the same addresses and data file, after Kill9 or
// when it exited, and waits until it is ready.
func (c *cluster) Restart(i int) {
	c.t.Helper()
	c.node(i).proc.kill9() // no-op when gone
	c.launch(i)
	if err := c.waitReady(i); err != nil {
		c.t.Fatalf("node %d after restart: %v\n%s", i, err, c.nodes[i].proc.tail())
	}
}

// Logs is the end of every node's log, for failure messages.
func (c *cluster) Logs() string {
	var b strings.Builder
	for _, n := range c.nodes {
		fmt.Fprintf(&b, "--- node %d (%s) ---\n%s\n", n.i, n.URL(), n.proc.tail())
	}
	return b.String()
}

// stop stops the balancer and every node still running, and says on failure what the
// nodes logged.
func (c *cluster) stop() {
	if c.lb != nil {
		c.lb.proc.stop()
	}
	var wg sync.WaitGroup
	for _, n := range c.nodes {
		if n.proc == nil {
			continue
		}
		wg.Add(1)
		go func() { defer wg.Done(); n.proc.stop() }()
	}
	wg.Wait()
	for _, n := range c.nodes {
		if n.proc == nil {
			continue
		}
		if b, _ := os.ReadFile(n.proc.log); bytes.Contains(b, []byte("WARNING: DATA RACE")) {
			c.t.Errorf("node %d found a data race:\n%s", n.i, b[bytes.Index(b, []byte("WARNING: DATA RACE")):])
		}
	}
	if c.t.Failed() && os.Getenv("TABULA_TEST_LOG") != "" {
		c.t.Log(c.Logs())
	}
}

// balancer is an HAProxy the test started.
type balancer struct {
	port int
	proc *proc
}

func (b *balancer) URL() string { return "http://127.0.0.1:" + strconv.Itoa(b.port) }

// haproxyConfig is the balancer's configuration: round robin over the nodes with no
// stickiness, health checks on /readyz, and timeouts for long-lived connections —
// `timeout tunnel` governs a WebSocket once upgraded, `timeout server` the gaps
// between an SSE stream's events (the nodes send a heartbeat every 15 s). A connection
// refused by a dead node is tried again on another one (option redispatch). The same
// shape is docs/scaling.md's example.
const haproxyConfig = `global
	maxconn 8000

defaults
	mode http
	option forwardfor
	option redispatch
	retries 3
	timeout connect 1s
	timeout client 30s
	timeout server 30s
	timeout tunnel 1h
	timeout client-fin 5s
	timeout http-request 10s

frontend tabula
	bind 127.0.0.1:{{port}}
	default_backend nodes

backend nodes
	balance roundrobin
	option httpchk GET /readyz
	http-check expect status 200
	default-server inter 300ms fall 2 rise 2
{{servers}}`

// startBalancer starts HAProxy in front of nodes and waits until it forwards.
func startBalancer(t testing.TB, dir string, nodes []*node) *balancer {
	t.Helper()
	bin := testtool.Find(t, haproxyTool)
	b := &balancer{port: freeLoopbackPort(t)}
	var servers bytes.Buffer
	for _, n := range nodes {
		fmt.Fprintf(&servers, "\tserver node%d 127.0.0.1:%d check\n", n.i, n.port)
	}
	cfg := strings.NewReplacer("{{port}}", strconv.Itoa(b.port), "{{servers}}", servers.String()).Replace(haproxyConfig)
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	// -db: stay in the foreground, so the pid is HAProxy's own.
	b.proc = startProc(t, "haproxy", dir, bin, "-db", "-f", path)
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for {
		if b.proc.exited() {
			t.Fatalf("haproxy exited: %v\n%s", b.proc.err, b.proc.tail())
		}
		resp, err := hc.Get(b.URL() + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return b
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy on %s not forwarding after 15 s (last: %v)\n%s", b.URL(), err, b.proc.tail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitUntil calls cond until it returns nil, and fails the test with its last error
// after within.
func waitUntil(t testing.TB, within time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not after %s: %v", what, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// owner is the index of the node that holds board id's lease now, read from Redis as the
// nodes wrote it: the lease "<node>:<token>" under tabula:{id}:lease, the node's address
// under tabula:node:<node>. It waits until some node holds the lease.
func (c *cluster) owner(t testing.TB, id string) int {
	t.Helper()
	opt, err := redis.ParseURL(c.redis)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	owner := -1
	waitUntil(t, wait, "a node holds the board's lease", func() error {
		ctx := context.Background()
		lease, err := rdb.Get(ctx, "tabula:{"+id+"}:lease").Result()
		if err != nil {
			return fmt.Errorf("lease: %w", err)
		}
		name := lease[:max(strings.LastIndexByte(lease, ':'), 0)]
		addr, err := rdb.Get(ctx, "tabula:node:"+name).Result()
		if err != nil {
			return fmt.Errorf("address of node %s: %w", name, err)
		}
		for _, n := range c.nodes {
			if addr == "127.0.0.1:"+strconv.Itoa(n.port) {
				owner = n.i
				return nil
			}
		}
		return fmt.Errorf("lease held by %s at %s, not one of the test's nodes", name, addr)
	})
	return owner
}
