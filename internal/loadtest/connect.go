package loadtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// makeBoards creates the boards with POST /boards, reading the id from the redirect,
// unless the config names existing ones.
func (r *run) makeBoards(ctx context.Context) error {
	ids := r.cfg.BoardsFrom
	for i := len(ids); i < r.cfg.Boards; i++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.base.String()+"/boards", nil)
		if err != nil {
			return err
		}
		resp, err := r.http.Do(req)
		if err != nil {
			return fmt.Errorf("create board: %w", err)
		}
		resp.Body.Close()
		if wait, ok := retryAfter(resp); ok { // the server's board rate limit
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return ctx.Err()
			}
			i--
			continue
		}
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/b/") {
			return fmt.Errorf("create board: POST /boards answered %s with Location %q", resp.Status, loc)
		}
		ids = append(ids, strings.TrimPrefix(loc, "/b/"))
	}
	for _, id := range ids {
		r.boards = append(r.boards, &board{id: id})
	}
	return nil
}

// retryAfter reads a 429's Retry-After (in seconds).
func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	n, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || n < 0 {
		n = 1
	}
	return time.Duration(n) * time.Second, true
}

// connectAll connects every client (see connectEach) and returns how many are
// connected. A client that fails is counted as a drop ("dial") and left out of the run.
func (r *run) connectAll(ctx context.Context) int {
	r.clients = make([]*simClient, r.cfg.Clients)
	for i := range r.clients {
		r.clients[i] = newSimClient(r, i, r.boards[i%len(r.boards)])
	}
	return r.connectEach(ctx, len(r.clients), func(ctx context.Context, i int) error {
		c := r.clients[i]
		err := c.connect(ctx)
		if err != nil {
			if c.ws != nil {
				c.closing.Store(true)
				c.ws.Close()
				<-c.done
				c.ws = nil
			}
			if !c.lost.Load() { // else the server closed it, counted by close code
				r.addDrop("dial")
			}
		}
		return err
	})
}

// connectEach calls connect for clients 0 to n-1, at most cfg.Ramp new connections a
// second and a bounded number at once, notes why those that failed did, and returns
// how many succeeded.
func (r *run) connectEach(ctx context.Context, n int, connect func(ctx context.Context, i int) error) int {
	const parallel = 64
	var tick <-chan time.Time
	if r.cfg.Ramp > 0 {
		t := time.NewTicker(max(time.Duration(float64(time.Second)/r.cfg.Ramp), time.Microsecond))
		defer t.Stop()
		tick = t.C
	}
	slots := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	var ok atomic.Int64
	for i := range n {
		if tick != nil {
			select {
			case <-tick:
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			if err := connect(ctx, i); err != nil {
				r.noteDialError(err)
				return
			}
			ok.Add(1)
		}()
	}
	wg.Wait()
	return int(ok.Load())
}

// noteDialError keeps the reasons connections failed, for the report; a bounded
// number of distinct ones.
func (r *run) noteDialError(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if msg := err.Error(); r.dialErrs[msg] > 0 || len(r.dialErrs) < 20 {
		r.dialErrs[msg]++
	}
}

// closeAll closes every connection (see closeEach).
func (r *run) closeAll() {
	closeEach(len(r.clients), func(i int) {
		if r.clients[i].ws != nil {
			r.clients[i].close()
		}
	})
}

// closeEach calls closeOne for 0 to n-1, many at once: one by one would take long for
// thousands of clients.
func closeEach(n int, closeOne func(i int)) {
	var wg sync.WaitGroup
	slots := make(chan struct{}, 256)
	for i := range n {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			closeOne(i)
		}()
	}
	wg.Wait()
}

// wsURL is the editor WebSocket of a board.
func (r *run) wsURL(boardID string) string {
	u := *r.base
	u.Scheme = "ws"
	if r.base.Scheme == "https" {
		u.Scheme = "wss"
	}
	u.Path = r.base.Path + "/b/" + boardID + "/ws"
	return u.String()
}

// netDial returns the dial function of client idx: from one of the loopback source
// addresses when the target is IPv4 loopback.
func (r *run) netDial(idx int) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if len(r.sources) == 0 {
		return d.DialContext
	}
	d.LocalAddr = &net.TCPAddr{IP: r.sources[idx%len(r.sources)]}
	return func(ctx context.Context, _, addr string) (net.Conn, error) {
		return d.DialContext(ctx, "tcp4", addr)
	}
}

// isIPv4Loopback reports whether host is 127.0.0.0/8 or localhost, where the clients
// can be spread over source addresses.
func isIPv4Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.To4() != nil && ip.IsLoopback()
}
