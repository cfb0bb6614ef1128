package collab

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"tabula/collab/wire"
)

// Many nodes (Config.Broker set): one owner per board at a time.
//
// A board's room runs only on the node that holds the board's lease in the broker. The
// lease is "<node>:<token>", the token fresh from a counter that only grows, taken for
// LeaseTTL and renewed by its holder every LeaseTTL/3. Every write the room submits
// carries the lease (Write.Fence): the shared store refuses a write whose fence is not
// the board's lease at that moment, and refuses a seq that does not follow the last,
// so a stale owner (paused, partitioned) never appends after the lease moved, and two
// owners never give two batches one seq. What a room does with a batch — validate,
// give it the next seq, make it durable, then broadcast and ack — is as on one node.
//
// A node that is asked for a board another live node owns does not run its room: Route
// says where the owner is, and the edge keeps the person's connection and passes its
// messages to the owner's room over the board's link (app/wslink.go). A node that
// loses a lease (a renewal refused, or none succeeded for a whole LeaseTTL) closes the
// board's sessions with 1012 and unloads it; the pages reconnect, through the balancer,
// to whichever node holds the lease next, and resend what was not acknowledged.
//
// The janitor's work (retention, image collection, trash purge) runs on the one node
// holding JanitorLease. Each node heartbeats its address into the registry, so others
// can reach it, and withdraws it on a clean shutdown.

// DefaultLeaseTTL is how long a board's lease outlives its owner's last renewal: how
// long a board is unavailable after its owner dies.
const DefaultLeaseTTL = 3 * time.Second

// leaseGrace is how long a node keeps a lease it took for a board it has not loaded (a
// connection that was routed here and never said hello).
const leaseGrace = 15 * time.Second

// ErrElsewhere is Route's answer for a board that cannot be served here now: its owner
// is not reachable, or its lease is moving. The client should try again shortly.
var ErrElsewhere = errors.New("the board is moving between servers; try again")

// Route says where board id is served: here (Local), at the address of the node that
// owns it (Addr), or, with an error wrapping ErrElsewhere, nowhere for now. On a single
// node every board is local. A node asked for a board nobody owns takes its lease.
type Route struct {
	Local bool
	Node  string
	Addr  string
}

// cluster is a service's part in a deployment of many nodes.
type cluster struct {
	broker Broker
	node   string
	addr   string
	ttl    time.Duration
	secret []byte

	// taking asks the broker for a board's lease once at a time: of two people opening
	// a board nobody holds at the same moment, the second would otherwise be told the
	// lease is held by this very node (the first's, not yet recorded in leases) and
	// refused with 1013.
	taking singleflight.Group

	mu      sync.Mutex
	leases  map[string]*heldLease
	janitor *Lease
	crashed bool
}

type heldLease struct {
	l       Lease
	taken   time.Time
	renewed time.Time
}

func newCluster(cfg Config) *cluster {
	ttl := cfg.LeaseTTL
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	c := &cluster{broker: cfg.Broker, node: cfg.Node, addr: cfg.NodeAddr, ttl: ttl, leases: map[string]*heldLease{}}
	if c.node == "" {
		c.node = randomID(9)
	}
	return c
}

// Node is this node's id in the deployment; empty on a single node.
func (s *Service) Node() string {
	if s.cluster == nil {
		return ""
	}
	return s.cluster.node
}

// ClusterSecret is the secret the deployment's nodes share, to authenticate what they
// tell each other (board links, a forwarded request's client address); nil on a single
// node.
// Returns an error if the broker cannot be asked for it.
func (s *Service) ClusterSecret(ctx context.Context) ([]byte, error) {
	c := s.cluster
	if c == nil {
		return nil, nil
	}
	c.mu.Lock()
	secret := c.secret
	c.mu.Unlock()
	if secret != nil {
		return secret, nil
	}
	secret, err := c.broker.Secret(ctx)
	if err != nil {
		return nil, fmt.Errorf("cluster secret: %w", err)
	}
	c.mu.Lock()
	c.secret = secret
	c.mu.Unlock()
	return secret, nil
}

// Route says where board id (its key, BoardMeta.ID) is served; see Route.
func (s *Service) Route(ctx context.Context, id string) (Route, error) {
	if s.cluster == nil {
		return Route{Local: true}, nil
	}
	_, err := s.own(ctx, id)
	if err == nil {
		return Route{Local: true, Node: s.cluster.node}, nil
	}
	var held *leaseHeld
	if !errors.As(err, &held) {
		return Route{}, err
	}
	addr, ok, err := s.cluster.broker.NodeAddr(ctx, held.l.Node)
	if err != nil {
		return Route{}, fmt.Errorf("%w: %w", ErrElsewhere, err)
	}
	if !ok || addr == "" {
		return Route{}, fmt.Errorf("%w: its server %s stopped answering", ErrElsewhere, held.l.Node)
	}
	return Route{Node: held.l.Node, Addr: addr}, nil
}

// leaseHeld is own's answer when another node holds the board's lease.
type leaseHeld struct{ l Lease }

func (e *leaseHeld) Error() string { return "board owned by " + e.l.Node }
func (e *leaseHeld) Unwrap() error { return ErrLeaseHeld }

// own returns this node's lease of board id, taking it if it is free. Returns a
// *leaseHeld if another node holds it, and an error wrapping ErrElsewhere while this
// node still unloads a room whose lease it lost.
func (s *Service) own(ctx context.Context, id string) (Lease, error) {
	c := s.cluster
	c.mu.Lock()
	h := c.leases[id]
	crashed := c.crashed
	c.mu.Unlock()
	if crashed {
		return Lease{}, fmt.Errorf("%w: the server is stopping", ErrElsewhere)
	}
	if h != nil {
		return h.l, nil
	}
	gone := false
	s.rooms.Use(id, false, func(r *room) { gone = r.gone.Load() })
	if gone {
		return Lease{}, fmt.Errorf("%w: the board is leaving this server", ErrElsewhere)
	}
	ch := c.taking.DoChan(id, func() (any, error) {
		// Not bound to the first asker's context: the others wait for the answer too.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.ttl/3)
		defer cancel()
		return s.take(actx, id)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return Lease{}, r.Err
		}
		return r.Val.(Lease), nil
	case <-ctx.Done():
		return Lease{}, fmt.Errorf("%w: %w", ErrElsewhere, ctx.Err())
	}
}

// take asks the broker for board id's lease (own, one call per board at a time).
func (s *Service) take(ctx context.Context, id string) (Lease, error) {
	c := s.cluster
	c.mu.Lock()
	h := c.leases[id]
	c.mu.Unlock()
	if h != nil { // taken by the call just before this one
		return h.l, nil
	}
	l, err := c.broker.Acquire(ctx, id, c.node, c.ttl)
	if errors.Is(err, ErrLeaseHeld) {
		if l.Node == c.node {
			// Ours from before this process knew (it lost track after a failed
			// renewal that in fact went through): wait for it to expire.
			return Lease{}, fmt.Errorf("%w: an earlier lease of this server is expiring", ErrElsewhere)
		}
		return Lease{}, &leaseHeld{l: l}
	}
	if err != nil {
		return Lease{}, fmt.Errorf("%w: %w", ErrElsewhere, err)
	}
	now := time.Now()
	c.mu.Lock()
	c.leases[id] = &heldLease{l: l, taken: now, renewed: now}
	c.mu.Unlock()
	return l, nil
}

// fence is the lease a room of board id writes with; empty on a single node.
func (s *Service) fence(id string) string {
	if s.cluster == nil {
		return ""
	}
	s.cluster.mu.Lock()
	defer s.cluster.mu.Unlock()
	if h := s.cluster.leases[id]; h != nil {
		return h.l.Fence()
	}
	return "" // none: the room leaves at once (newRoom)
}

// keepLeases renews this node's leases and its registry entry every ttl/3 until the
// service stops, and gives up leases of boards it never loaded.
func (s *Service) keepLeases() {
	defer s.wg.Done()
	c := s.cluster
	t := time.NewTicker(c.ttl / 3)
	defer t.Stop()
	for first := true; ; first = false {
		if !first {
			select {
			case <-t.C:
			case <-s.ctx.Done():
				return
			}
		}
		c.mu.Lock()
		crashed := c.crashed
		held := make([]*heldLease, 0, len(c.leases))
		for _, h := range c.leases {
			held = append(held, h)
		}
		c.mu.Unlock()
		if crashed {
			continue
		}
		ctx, cancel := context.WithTimeout(s.ctx, c.ttl/3)
		if err := c.broker.Announce(ctx, c.node, c.addr, c.ttl); err != nil && s.ctx.Err() == nil {
			s.log.Warn("announce this node", "err", err)
		}
		for _, h := range held {
			s.renew(ctx, h)
		}
		cancel()
	}
}

// renew extends one lease, or lets it go: when the board is not loaded past
// leaseGrace, when the broker says it is no longer ours, or when no renewal succeeded
// for a whole TTL (the broker unreachable: another node may hold it by now).
func (s *Service) renew(ctx context.Context, h *heldLease) {
	c := s.cluster
	id := h.l.Name
	loaded := s.rooms.Use(id, false, nil)
	if !loaded && time.Since(h.taken) > leaseGrace {
		c.mu.Lock()
		if c.leases[id] == h {
			delete(c.leases, id)
		}
		c.mu.Unlock()
		// A room that started before the lease was forgotten writes with it: keep it.
		// One that starts after finds no lease and leaves at once (newRoom).
		if s.rooms.Use(id, false, nil) {
			c.mu.Lock()
			if c.leases[id] == nil {
				c.leases[id] = h
			}
			c.mu.Unlock()
			return
		}
		if err := c.broker.Release(ctx, h.l); err != nil {
			s.log.Warn("release lease", "board", LogID(id), "err", err)
		}
		return
	}
	err := c.broker.Renew(ctx, h.l, c.ttl)
	if err == nil {
		c.mu.Lock()
		h.renewed = time.Now()
		c.mu.Unlock()
		return
	}
	if !errors.Is(err, ErrLeaseLost) && time.Since(h.renewed) < c.ttl {
		s.log.Warn("renew lease; trying again", "board", LogID(id), "err", err)
		return
	}
	s.log.Warn("lost the lease of a board; its sessions reconnect to its new owner", "board", LogID(id), "err", err)
	s.loseLease(h)
}

// loseLease forgets lease h and has the board's room, if loaded, close its sessions
// (1012) and unload.
func (s *Service) loseLease(h *heldLease) {
	c := s.cluster
	c.mu.Lock()
	if c.leases[h.l.Name] == h {
		delete(c.leases, h.l.Name)
	}
	c.mu.Unlock()
	var r *room
	s.rooms.Use(h.l.Name, false, func(o *room) {
		o.gone.Store(true)
		r = o
	})
	if r != nil {
		r.post(roomCmd{kind: cmdFunc, fn: (*room).moved})
	}
}

// moved closes every session of a room whose lease was lost, with 1012: the pages
// reconnect to the board's next owner and resend what was not acknowledged. Nothing
// more is written or acknowledged here; the room unloads as soon as it is empty.
func (r *room) moved() {
	r.fan.wait()
	r.everyone(func(s *Session) {
		s.kick(CloseServiceRestart, "the board moved to another server; reconnecting")
	})
	r.members, r.waiting, r.held, r.inflight = nil, nil, nil, nil
	r.broken, r.recovering = true, false
}

// releaseLeases gives up every lease on a clean shutdown, so that other nodes take the
// boards at once instead of after the TTL, and withdraws the node from the registry.
func (s *Service) releaseLeases() {
	c := s.cluster
	c.mu.Lock()
	held := c.leases
	c.leases = map[string]*heldLease{}
	janitor := c.janitor
	c.janitor = nil
	crashed := c.crashed
	c.mu.Unlock()
	if crashed {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, h := range held {
		if err := c.broker.Release(ctx, h.l); err != nil {
			s.log.Warn("release lease", "board", LogID(h.l.Name), "err", err)
		}
	}
	if janitor != nil {
		_ = c.broker.Release(ctx, *janitor)
	}
	if err := c.broker.Withdraw(ctx, c.node); err != nil {
		s.log.Warn("withdraw this node", "err", err)
	}
}

// Crash makes the service behave, towards the other nodes, as if its process had
// died: it stops renewing its leases and heartbeating, takes no new leases, and will
// not release what it holds when it closes. The leases expire after their TTL. For
// tests of a node's death within one process.
func (s *Service) Crash() {
	if s.cluster == nil {
		return
	}
	s.cluster.mu.Lock()
	s.cluster.crashed = true
	s.cluster.mu.Unlock()
}

// janitorTurn reports whether this node should run the janitor's work now: always on a
// single node; on many, when it holds (takes or renews) JanitorLease, for twice every.
func (s *Service) janitorTurn(ctx context.Context, every time.Duration) bool {
	c := s.cluster
	if c == nil {
		return true
	}
	c.mu.Lock()
	cur, crashed := c.janitor, c.crashed
	c.mu.Unlock()
	if crashed {
		return false
	}
	if cur != nil {
		if err := c.broker.Renew(ctx, *cur, 2*every); err == nil {
			return true
		}
	}
	l, err := c.broker.Acquire(ctx, JanitorLease, c.node, 2*every)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.janitor = nil
		return false
	}
	c.janitor = &l
	return true
}

// clusterReady reports whether the broker answers.
func (s *Service) clusterReady(ctx context.Context) error {
	if s.cluster == nil {
		return nil
	}
	if err := s.cluster.broker.Ping(ctx); err != nil {
		return fmt.Errorf("broker: %w", err)
	}
	return nil
}

// isClosing reports whether Close has begun.
func (s *Service) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

func (c *cluster) isCrashed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.crashed
}

// noRoom is the error of a change that needs the board's room when acquire found none:
// the service is closing, or, on one of many nodes, another node owns the board (the
// change must be asked of it; the page's own WebSocket reaches it).
func (s *Service) noRoom() error {
	if s.isClosing() || s.cluster == nil {
		return wire.Errorf(wire.EInternal, "the server is shutting down")
	}
	return wire.Errorf(wire.EInternal, "the board is open on another server of this site; try again from the board")
}

// saveFailed is what an editor is told when the board could not be saved.
func (s *Service) saveFailed() string {
	if s.cluster != nil {
		return "the board could not be saved (the shared store is unreachable, or the board moved to another server); reconnecting"
	}
	return "the board could not be saved (the server may be out of disk space); reconnecting"
}

// forgetLease drops this node's lease of board id if it is still fence: the store said
// the room's view of the board is stale. It is released in the background if it is
// still ours in the broker (a refused duplicate, say), so that the board's next room,
// here or elsewhere, need not wait for it to expire. Called on the room's goroutine.
func (s *Service) forgetLease(id, fence string) {
	c := s.cluster
	c.mu.Lock()
	h := c.leases[id]
	if h == nil || h.l.Fence() != fence {
		c.mu.Unlock()
		return
	}
	delete(c.leases, id)
	c.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), c.ttl)
		defer cancel()
		if err := c.broker.Release(ctx, h.l); err != nil {
			s.log.Warn("release lease", "board", LogID(id), "err", err)
		}
	}()
}
