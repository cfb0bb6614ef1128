package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"net/url"
	"path"
	"strconv"
	"time"
)

// peerRun is a run against another server (Config.Peer): the same clients, writers,
// rate, window, counters and report as a run against Tabula, with clients that speak
// the peer's protocol.
type peerRun struct {
	*run
	docs []string
	// clientBase is the Yjs client id of writer 0; writer i is clientBase+i, so any
	// receiver knows which writer an item came from.
	clientBase uint64
	clients    []*hpClient
}

// executePeer is execute for a peer server. The document is named by the URL's last
// path segment ("bench" if none), with -boards N the documents NAME-0 … NAME-(N-1).
func executePeer(ctx context.Context, cfg Config, progress io.Writer) (*Report, *peerRun, error) {
	r, err := newRun(cfg)
	if err != nil {
		return nil, nil, err
	}
	p := &peerRun{run: r}
	var rb [4]byte
	if _, err := rand.Read(rb[:]); err != nil {
		return nil, nil, err
	}
	// Yjs client ids are 32-bit; start low enough that every writer's fits.
	p.clientBase = uint64(binary.LittleEndian.Uint32(rb[:]) >> 1)
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, nil, err
	}
	name := path.Base(u.Path)
	if name == "/" || name == "." {
		name = "bench"
	}
	for i := range cfg.Boards {
		doc := name
		if cfg.Boards > 1 {
			doc += "-" + strconv.Itoa(i)
		}
		p.docs = append(p.docs, doc)
		r.boards = append(r.boards, &board{id: doc})
	}
	started := time.Now()
	samp := newSampler(r)
	sampCtx, stopSampling := context.WithCancel(context.Background())
	sampDone := make(chan struct{})
	go func() {
		defer close(sampDone)
		samp.loop(sampCtx)
	}()
	defer func() {
		stopSampling()
		<-sampDone
	}()

	fmt.Fprintf(progress, "connecting %d %s clients to %d documents at %s\n", cfg.Clients, cfg.Peer, len(p.docs), cfg.URL)
	p.clients = make([]*hpClient, cfg.Clients)
	for i := range p.clients {
		p.clients[i] = newHPClient(p, i)
	}
	connected := r.connectEach(ctx, len(p.clients), func(ctx context.Context, i int) error {
		c := p.clients[i]
		err := c.connect(ctx)
		if err != nil {
			if c.ws != nil {
				c.closing.Store(true)
				c.ws.Close()
				<-c.done
				c.ws = nil
			}
			if !c.lost.Load() {
				r.addDrop("dial")
			}
		}
		return err
	})
	fmt.Fprintf(progress, "%d connected; load for %v warmup + %v measured\n", connected, cfg.Warmup, cfg.Duration)
	aliveCtx, stopKeepAlive := context.WithCancel(ctx)
	kaDone := make(chan struct{})
	go func() {
		defer close(kaDone)
		p.keepAlive(aliveCtx)
	}()

	var writers []func(context.Context)
	for _, c := range p.clients {
		if c.writer && c.ws != nil {
			writers = append(writers, func(ctx context.Context) { c.writeLoop(ctx, cfg.Seed) })
		}
	}
	toolCores, machineCores := r.load(ctx, samp, writers)

	fmt.Fprintln(progress, "draining")
	drainCtx, cancelDrain := context.WithTimeout(ctx, cfg.Drain)
	p.drain(drainCtx)
	cancelDrain()
	stopKeepAlive()
	<-kaDone
	closeEach(len(p.clients), func(i int) {
		if p.clients[i].ws != nil {
			p.clients[i].close()
		}
	})

	window := time.Duration(r.to.Load() - r.from.Load())
	rep := r.report(started, window, connected)
	p.check(rep)
	rep.Server = samp.summary(r.from.Load(), r.to.Load())
	rep.ToolCPUCores, rep.MachineCPUCores = toolCores, machineCores
	return rep, p, nil
}

// drain waits, until ctx is done, for every writer still connected to have its
// updates acknowledged, then for every client still connected to have received every
// acknowledged update of its document's writers.
func (p *peerRun) drain(ctx context.Context) {
	for _, c := range p.clients {
		for c.writer && c.alive() && c.inflight.Load() > 0 {
			select {
			case <-c.ackSig:
			case <-c.done:
			case <-ctx.Done():
				return
			}
		}
	}
	for _, c := range p.clients {
		for w := range c.next {
			for c.alive() && p.missing(c, w) > 0 {
				select {
				case <-c.progress:
				case <-c.done:
				case <-ctx.Done():
					return
				}
			}
		}
	}
}

// missing is how many of writer w's acknowledged updates client c has not received:
// none when w writes to another document.
func (p *peerRun) missing(c *hpClient, w int) int64 {
	wr := p.clients[w]
	if wr.doc != c.doc {
		return 0
	}
	return max(wr.acked.Load()-int64(c.next[w].Load()), 0)
}

// check adds what every client received, once all have stopped, to the report.
func (p *peerRun) check(rep *Report) {
	k := &rep.Consistency
	for _, c := range p.clients {
		if c.ws == nil {
			continue
		}
		rep.Batches.Unacked += max(c.inflight.Load(), 0)
		k.SeqGaps += c.gaps
		k.SeqRepeats += c.dups
		if c.lost.Load() {
			continue
		}
		var missing int64
		for w := range c.next {
			missing += p.missing(c, w)
		}
		if missing > 0 {
			k.Incomplete++
			k.Missing += missing
		}
	}
}
