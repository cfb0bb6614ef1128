package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"tabula/internal/loadtest"
	"tabula/internal/redistest"
)

// BenchmarkClusterLoad runs the load tool (`tabula loadtest`, the binary the tests
// build) at the single-node load of docs/benchmarks.md — 1,000 clients on one board,
// 10 writers at 10 batches/s, so 100k deliveries/s — against one node on its bbolt file,
// then one node on Redis (no balancer: what Redis alone costs), then three nodes on one
// Redis behind HAProxy, and reports the end-to-end p99
// of each and what every process used (and, to tell the balancer's cost from the
// cluster's, one node behind HAProxy). Run it alone, once:
//
//	go test -run '^$' -bench ClusterLoad -benchtime 1x ./e2e
//
// TABULA_BENCH_ARGS replaces the load arguments (e.g. "-clients 200 -writers 5").
func BenchmarkClusterLoad(b *testing.B) {
	args := strings.Fields("-clients 1000 -boards 1 -writers 10 -rate 10 -cursor-hz 0 -duration 10s -warmup 2s")
	if s := os.Getenv("TABULA_BENCH_ARGS"); s != "" {
		args = strings.Fields(s)
	}
	b.Run("OneNode", func(b *testing.B) {
		c := startCluster(b, 1, "")
		for b.Loop() {
			runLoad(b, c, c.node(0).URL(), "http://127.0.0.1:"+strconv.Itoa(c.node(0).admin), args)
		}
	})
	b.Run("OneNodeRedis", func(b *testing.B) {
		r := redistest.Start(b)
		c := startCluster(b, 1, r.URL())
		for b.Loop() {
			before := redisCPU(b, r.URL())
			runLoad(b, c, c.node(0).URL(), "http://127.0.0.1:"+strconv.Itoa(c.node(0).admin), args)
			fmt.Fprintf(os.Stderr, "%s: redis-server CPU over the run: %.2f s\n", b.Name(), redisCPU(b, r.URL())-before)
		}
	})
	b.Run("OneNodeRedisHAProxy", func(b *testing.B) {
		// What the balancer alone costs: every socket through HAProxy to one node.
		r := redistest.Start(b)
		c := startCluster(b, 1, r.URL())
		for b.Loop() {
			runLoad(b, c, c.URL(), "http://127.0.0.1:"+strconv.Itoa(c.node(0).admin), args)
		}
	})
	b.Run("ThreeNodesRedisHAProxy", func(b *testing.B) {
		r := redistest.Start(b)
		c := startCluster(b, 3, r.URL())
		// The board is made on node 0 and a reader there makes node 0 its owner, so the
		// tool reads the owner's own figures; the clients come through the balancer,
		// two thirds of them to nodes 1 and 2, which follow the board over a link.
		id := postBoard(b, &testServer{URL: c.node(0).URL()})
		owner := join(b, boardWS(c.node(0).URL(), id), 0)
		go func() {
			for {
				if _, err := owner.c.Read(time.Now().Add(time.Hour)); err != nil {
					return
				}
			}
		}()
		if o := c.owner(b, id); o != 0 {
			b.Fatalf("board owned by node %d, want 0", o)
		}
		for b.Loop() {
			before := redisCPU(b, r.URL())
			runLoad(b, c, c.URL(), "http://127.0.0.1:"+strconv.Itoa(c.node(0).admin), append(args, "-boards-from", id))
			fmt.Fprintf(os.Stderr, "%s: redis-server CPU over the run: %.2f s\n", b.Name(), redisCPU(b, r.URL())-before)
		}
	})
}

// redisCPU is the CPU time redis-server has used so far, in seconds (INFO cpu).
func redisCPU(b *testing.B, url string) float64 {
	opt, err := redis.ParseURL(url)
	if err != nil {
		b.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	info, err := rdb.Info(context.Background(), "cpu").Result()
	if err != nil {
		b.Fatal(err)
	}
	var total float64
	for _, line := range strings.Split(info, "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), ":")
		if k == "used_cpu_sys" || k == "used_cpu_user" {
			f, _ := strconv.ParseFloat(v, 64)
			total += f
		}
	}
	return total
}

// runLoad runs the load tool against url and reports its figures and the CPU every
// node (and the balancer) used while it ran.
func runLoad(b *testing.B, c *cluster, url, admin string, args []string) {
	b.Helper()
	out := filepath.Join(b.TempDir(), "load.json")
	cmd := exec.Command(c.bin, append([]string{"loadtest", "-url", url, "-admin", admin, "-json", out}, args...)...)
	before := c.cpu()
	start := time.Now()
	text, err := cmd.CombinedOutput()
	took := time.Since(start).Seconds()
	after := c.cpu()
	if err != nil {
		b.Fatalf("loadtest: %v\n%s\n%s", err, text, c.Logs())
	}
	// The whole table, which b.Log would cut short.
	fmt.Fprintf(os.Stderr, "%s: tabula loadtest -url %s %s\n%s", b.Name(), url, strings.Join(args, " "), text)
	raw, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	var res loadtest.Results
	if err := json.Unmarshal(raw, &res); err != nil || len(res.Runs) != 1 {
		b.Fatalf("%s: %v", raw, err)
	}
	rep := res.Runs[0]
	if rep.Consistency.SeqGaps != 0 || rep.Consistency.SeqRepeats != 0 || rep.Consistency.Incomplete != 0 {
		b.Errorf("consistency: %+v", rep.Consistency)
	}
	b.ReportMetric(rep.Deliveries.PerSecond, "deliveries/s")
	b.ReportMetric(rep.DeliveryLatency.P50, "p50-ms")
	b.ReportMetric(rep.DeliveryLatency.P99, "p99-ms")
	b.ReportMetric(rep.AckLatency.P99, "ack-p99-ms")
	var cpu []string
	for name, t := range after {
		cpu = append(cpu, fmt.Sprintf("%s %.2f cores", name, (t-before[name])/took))
	}
	fmt.Fprintf(os.Stderr, "%s: CPU over the whole run (%.0f s, connecting included): %s\n", b.Name(), took, strings.Join(cpu, ", "))
}

// cpu is the CPU time, in seconds, each process of the cluster has used so far (Linux).
func (c *cluster) cpu() map[string]float64 {
	m := map[string]float64{}
	procs := []*proc{}
	for _, n := range c.nodes {
		procs = append(procs, n.proc)
	}
	if c.lb != nil {
		procs = append(procs, c.lb.proc)
	}
	for _, p := range procs {
		if s, err := procCPU(p.cmd.Process.Pid); err == nil {
			m[p.name] = s
		}
	}
	return m
}

// procCPU reads user+system time of pid from /proc/pid/stat.
func procCPU(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100, nil // USER_HZ is 100 on Linux
}
