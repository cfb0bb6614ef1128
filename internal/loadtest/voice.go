package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"tabula/internal/client"
)

// VoiceReport is what `loadtest voice` measures: how many audio streams the server
// forwarded, what share of the packets arrived, and the server CPU that cost.
type VoiceReport struct {
	Target         string  `json:"target"`
	People         int     `json:"people"`
	Streams        int     `json:"forwarded_streams"` // people × (people − 1)
	Seconds        float64 `json:"seconds"`
	Sent           int64   `json:"packets_sent"`
	Expected       int64   `json:"packets_expected"` // sent × (people − 1)
	Received       int64   `json:"packets_received"`
	Loss           float64 `json:"loss"`
	ServerCores    float64 `json:"server_cpu_cores"`
	StreamsPerCore float64 `json:"streams_per_core"`
	MicrosPerPkt   float64 `json:"server_cpu_us_per_forwarded_packet"`
	ClientCores    float64 `json:"load_tool_cpu_cores"`
}

// voiceMain runs `tabula loadtest voice`: -people pion participants join one board's
// call, all talk (an Opus-sized packet every 20 ms each) and the tool counts, over
// -duration after a warm-up, what every participant receives from every other one. The
// server must let ICE reach this machine's loopback (run it with -voice-loopback).
func voiceMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loadtest voice", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "http://127.0.0.1:8080", "base URL of the Tabula server (started with -voice-loopback)")
	admin := fs.String("admin", defaultAdmin, adminHelp)
	people := fs.Int("people", 30, "participants in the call, all talking")
	duration := fs.Duration("duration", 20*time.Second, "how long to measure, after a 3 s warm-up")
	jsonOut := fs.String("json", "", "write the result as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	u, err := url.Parse(*target)
	if err != nil || u.Host == "" || *people < 2 || *duration <= 0 {
		fmt.Fprintln(stderr, "loadtest voice: need -url http://host:port, -people >= 2 and -duration > 0")
		return 2
	}
	rep, err := runVoice(context.Background(), u, *admin, *people, *duration, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "loadtest voice:", err)
		return 1
	}
	fmt.Fprintf(stdout, "people %d, forwarded streams %d, measured %.0f s\n", rep.People, rep.Streams, rep.Seconds)
	fmt.Fprintf(stdout, "packets sent %d, expected at receivers %d, received %d, loss %.3f%%\n", rep.Sent, rep.Expected, rep.Received, 100*rep.Loss)
	fmt.Fprintf(stdout, "server CPU %.3f cores: %.0f forwarded streams per core, %.2f µs per forwarded packet\n", rep.ServerCores, rep.StreamsPerCore, rep.MicrosPerPkt)
	fmt.Fprintf(stdout, "load tool CPU %.3f cores\n", rep.ClientCores)
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(stderr, "loadtest voice:", err)
			return 1
		}
	}
	if rep.Loss >= 0.01 {
		return 1
	}
	return 0
}

func runVoice(ctx context.Context, base *url.URL, admin string, people int, duration time.Duration, log io.Writer) (*VoiceReport, error) {
	board, err := newBoard(ctx, base)
	if err != nil {
		return nil, err
	}
	ws := "ws://" + base.Host + "/b/" + board + "/ws"
	if base.Scheme == "https" {
		ws = "wss://" + base.Host + "/b/" + board + "/ws"
	}
	vs := make([]*client.Voice, 0, people)
	defer func() {
		for _, v := range vs {
			v.Close()
		}
	}()
	sids := make([]string, 0, people)
	for i := range people {
		c, _, err := client.Dial(ws, "")
		if err != nil {
			return nil, fmt.Errorf("participant %d: %w", i, err)
		}
		w, err := c.Hello(0, fmt.Sprintf("voice %d", i), time.Now().Add(10*time.Second))
		if err != nil {
			c.WS.Close()
			return nil, fmt.Errorf("participant %d: %w", i, err)
		}
		v, err := client.NewVoice(c, w.SID, client.VoiceOptions{Loopback: true})
		if err != nil {
			c.WS.Close()
			return nil, err
		}
		vs = append(vs, v)
		sids = append(sids, w.SID)
		if err := v.Join(); err != nil {
			return nil, err
		}
		if err := v.Wait("connected", 20*time.Second, func(s client.VoiceState) bool { return s.Connected }); err != nil {
			return nil, fmt.Errorf("participant %d: %w", i, err)
		}
	}
	fmt.Fprintf(log, "loadtest voice: %d participants connected\n", people)
	for _, v := range vs {
		v.Talk(20*time.Millisecond, 30)
	}
	// Everyone hears everyone before the window opens.
	for i, v := range vs {
		err := v.Wait("every stream", 30*time.Second, func(s client.VoiceState) bool {
			n := 0
			for j, sid := range sids {
				if j != i && s.From[sid] > 0 {
					n++
				}
			}
			return n == people-1
		})
		if err != nil {
			return nil, fmt.Errorf("participant %d: %w", i, err)
		}
	}
	time.Sleep(3 * time.Second) // warm-up: let the server's and our buffers settle (pacing, not synchronisation)

	snap := func() (sent, received int64) {
		for _, v := range vs {
			s := v.State()
			sent += int64(s.Sent)
			for _, n := range s.From {
				received += int64(n)
			}
		}
		return sent, received
	}
	cpu0, err := serverCPU(ctx, admin)
	if err != nil {
		return nil, err
	}
	own0 := processCPU()
	sent0, recv0 := snap()
	start := time.Now()
	time.Sleep(duration) // the measured window
	sent1, recv1 := snap()
	secs := time.Since(start).Seconds()
	own1 := processCPU()
	cpu1, err := serverCPU(ctx, admin)
	if err != nil {
		return nil, err
	}
	rep := &VoiceReport{
		Target: base.String(), People: people, Streams: people * (people - 1), Seconds: secs,
		Sent: sent1 - sent0, Received: recv1 - recv0,
		ServerCores: (cpu1 - cpu0) / secs, ClientCores: (own1 - own0) / secs,
	}
	rep.Expected = rep.Sent * int64(people-1)
	if rep.Expected > 0 {
		rep.Loss = max(0, 1-float64(rep.Received)/float64(rep.Expected))
	}
	if rep.ServerCores > 0 {
		rep.StreamsPerCore = float64(rep.Streams) / rep.ServerCores
		rep.MicrosPerPkt = (cpu1 - cpu0) * 1e6 / float64(rep.Received)
	}
	return rep, nil
}

// newBoard creates a board with POST /boards and returns its edit id.
func newBoard(ctx context.Context, base *url.URL) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base.String()+"/boards", nil)
	if err != nil {
		return "", err
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("create board: %w", err)
	}
	resp.Body.Close()
	id, ok := strings.CutPrefix(resp.Header.Get("Location"), "/b/")
	if !ok {
		return "", fmt.Errorf("create board: POST /boards answered %s", resp.Status)
	}
	return id, nil
}

// serverCPU reads the server's CPU seconds so far from GET /debug/stats on its admin
// listener.
func serverCPU(ctx context.Context, admin string) (float64, error) {
	if admin == "" {
		return 0, errors.New("server stats: need -admin, the server's admin listener")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(admin, "/")+"/debug/stats", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("server stats: %w", err)
	}
	defer resp.Body.Close()
	var s struct {
		CPU float64 `json:"cpu_seconds"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return 0, fmt.Errorf("server stats: %w", err)
	}
	return s.CPU, nil
}
