package collab

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"tabula/collab/wire"
	"tabula/internal/hist"
	"tabula/internal/keyrate"

	"tabula/collab/owner"
)

// Config tunes a Service.
type Config struct {
	Limits wire.Limits
	// RoomIdle is how long a board stays loaded after its last session leaves, so that a
	// page reload does not reload the board from disk.
	RoomIdle time.Duration
	// SnapshotEvery is how many batches a board's log grows before the room stores a
	// snapshot, bounding how much of the log a load must replay. The log must also
	// have grown by half the last snapshot's size (see room.snapshotDue).
	SnapshotEvery int
	// MaxQueueBytes is how many bytes may wait to be written to one connection before it
	// is closed as too slow (1013). It bounds the memory a stalled client can pin.
	MaxQueueBytes int
	// MaxImage is the largest image upload, in bytes.
	MaxImage int
	// MaxBoardImages and MaxBoardImageBytes bound the images one board may hold, in
	// number and in bytes. Defaults DefaultMaxBoardImages and DefaultMaxBoardImageBytes.
	MaxBoardImages     int
	MaxBoardImageBytes int64
	Logger             *slog.Logger
	// Voice carries voice chat; nil turns voice off (voice messages get voice_off).
	Voice VoiceSFU
	// History and trash (retention.go).
	Retention Retention
	// ConnOpRate and AddrOpRate bound how fast one connection and one client address
	// may store changes (oprate.go). The zero value takes DefaultConnOpRate and
	// DefaultAddrOpRate; a negative PerSecond is no limit.
	ConnOpRate, AddrOpRate OpRate
	// Broker, when set, makes the service one node of many sharing the store
	// (cluster.go): Node is its id (random when empty), NodeAddr the address other
	// nodes reach its HTTP edge at, LeaseTTL how long a board's lease outlives its
	// owner (DefaultLeaseTTL when zero). Nil: a single node, owning every board.
	Broker   Broker
	Node     string
	NodeAddr string
	LeaseTTL time.Duration
}

// DefaultConfig is what a server runs with unless configured otherwise.
func DefaultConfig() Config {
	return Config{Limits: wire.DefaultLimits, RoomIdle: 5 * time.Second, SnapshotEvery: 1000, MaxQueueBytes: 16 << 20, MaxImage: DefaultMaxImage, Logger: slog.Default()}
}

// Service is the collaboration domain: it creates and finds boards and runs a room for
// every board that has sessions.
type Service struct {
	store  Store
	cfg    Config
	limits wire.Limits
	log    *slog.Logger
	commit *committer
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	presence *presence
	stopIdle chan struct{}
	latency  Latency
	applied  applied

	addrOps *keyrate.Limiter // per client address; nil: no limit

	gc imageGC

	rooms *owner.Group[*room] // one goroutine per loaded board

	cluster *cluster // nil on a single node

	mu      sync.Mutex
	closing bool
}

// NewService starts a service on store. Call Close to stop it; the store stays open.
func NewService(store Store, cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.SnapshotEvery <= 0 {
		cfg.SnapshotEvery = DefaultConfig().SnapshotEvery
	}
	if cfg.MaxQueueBytes <= 0 {
		cfg.MaxQueueBytes = DefaultConfig().MaxQueueBytes
	}
	if cfg.MaxImage <= 0 {
		cfg.MaxImage = DefaultMaxImage
	}
	if cfg.MaxBoardImages <= 0 {
		cfg.MaxBoardImages = DefaultMaxBoardImages
	}
	if cfg.MaxBoardImageBytes <= 0 {
		cfg.MaxBoardImageBytes = DefaultMaxBoardImageBytes
	}
	if cfg.ConnOpRate == (OpRate{}) {
		cfg.ConnOpRate = DefaultConnOpRate
	}
	if cfg.AddrOpRate == (OpRate{}) {
		cfg.AddrOpRate = DefaultAddrOpRate
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		store: store, cfg: cfg, limits: cfg.Limits, log: cfg.Logger,
		ctx: ctx, cancel: cancel,
		presence: newPresence(), stopIdle: make(chan struct{}),
	}
	s.rooms = owner.New(func(id string) *room { return newRoom(s, id) }, (*room).run)
	s.gc.started = time.Now()
	if r := cfg.AddrOpRate; r.PerSecond > 0 {
		s.addrOps = keyrate.New(float64(r.PerSecond), r.Burst)
	}
	s.commit = newCommitter(store, &s.latency.Commit)
	if cfg.Broker != nil {
		s.cluster = newCluster(cfg)
		s.presence.link = newPresenceLink(s)
		s.wg.Add(2)
		go s.keepLeases()
		go s.presence.link.run()
	}
	go s.watchIdle()
	s.startJanitor()
	return s
}

// watchIdle marks people idle or active as their sessions go quiet or speak up.
func (s *Service) watchIdle() {
	t := time.NewTicker(IdleAfter / 6)
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			s.presence.markIdle(now)
		case <-s.stopIdle:
			return
		}
	}
}

// Subscribe starts a presence stream on board id (an edit id). The first message is a
// roster, or what was missed since lastEventID when this process still has it. Every
// event is queued on the subscriber's C.
func (s *Service) Subscribe(id, lastEventID string) *Subscriber {
	return s.presence.subscribe(id, "", lastEventID, nil)
}

// SubscribeDirect is Subscribe for a stream whose events may also be written straight to
// its connection by direct, which must not block: it writes what the connection takes
// at once and returns how much that was (an error only when the connection is broken).
// The stream's goroutine runs Serve to write the rest and the heartbeats. role is the
// link the stream came through: replacing that link ends the stream (ReplaceLinks).
func (s *Service) SubscribeDirect(id string, role Role, lastEventID string, direct func([]byte) (int, error)) *Subscriber {
	return s.presence.subscribe(id, role, lastEventID, direct)
}

// Present returns how many people are on board id (an edit id) right now, on every
// node.
func (s *Service) Present(id string) int {
	n := s.presence.count(id)
	if s.presence.link != nil {
		n += s.presence.link.remoteCount(id)
	}
	return n
}

// SetVoice sets the voice state of session sid on board id, as shown in presence.
func (s *Service) SetVoice(id, sid, state string) {
	s.presence.update(id, sid, func(p *Person) bool {
		changed := p.Voice != state
		p.Voice = state
		return changed
	})
}

// CreateBoard makes a new, empty board with fresh edit and view ids.
func (s *Service) CreateBoard(ctx context.Context) (BoardMeta, error) {
	m := BoardMeta{ID: NewBoardID(), ViewID: NewBoardID(), Title: "Untitled board", Created: time.Now().UTC()}
	if err := s.store.CreateBoard(ctx, m); err != nil {
		return BoardMeta{}, fmt.Errorf("create board: %w", err)
	}
	return m, nil
}

// Board returns the board whose edit id is id. Returns ENotFound if there is none, id
// is malformed or was replaced (ReplaceLinks), and ETrashed (with the board) if it is in
// the trash.
func (s *Service) Board(ctx context.Context, id string) (BoardMeta, error) {
	if !ValidBoardID(id) {
		return BoardMeta{}, wire.Errorf(wire.ENotFound, "no such board")
	}
	return trashed(s.store.BoardByEdit(ctx, id))
}

// BoardByView returns the board whose view id is id. Returns ENotFound if there is none,
// id is malformed or the board is in the trash.
func (s *Service) BoardByView(ctx context.Context, id string) (BoardMeta, error) {
	if !ValidBoardID(id) {
		return BoardMeta{}, wire.Errorf(wire.ENotFound, "no such board")
	}
	m, err := s.store.BoardByView(ctx, id)
	if err == nil && !m.Deleted.IsZero() {
		return BoardMeta{}, wire.Errorf(wire.ENotFound, "no such board")
	}
	return m, err
}

// Open starts a session on board b for a client at address addr (on which the
// per-address limits are keyed), delivering to the client through t. The session joins
// the board's room when the client says hello.
func (s *Service) Open(b BoardMeta, role Role, addr string, t Transport) *Session {
	sess := newSession(s, b, role, t)
	sess.ops = newOpBudget(s, addr)
	return sess
}

// MaxQueueBytes is how many bytes may wait to be written to one connection before its
// transport closes it as too slow (Config.MaxQueueBytes).
func (s *Service) MaxQueueBytes() int { return s.cfg.MaxQueueBytes }

// MaxImage returns the largest image upload accepted, in bytes.
func (s *Service) MaxImage() int { return s.cfg.MaxImage }

// Latency is what the server adds to ops, per delivery: from reading a batch off its
// connection to writing its broadcast to each member (Deliver) and its ack to the
// sender (Ack), after it is durable. The load tool reads it from /debug/stats to tell the
// server's share of end-to-end latency from its own.
type Latency struct {
	Deliver, Ack hist.Histogram
	// Durable is the part of both before the fan-out: from reading a batch to its room
	// learning that it is durable (decode, apply, group commit with fsync, hand-offs).
	Durable hist.Histogram
	// Commit is the time of each group-commit transaction, fsync included; its count is
	// the number of transactions, so batches per commit = Durable's count / Commit's.
	Commit hist.Histogram
}

// LatencySnapshot returns the counts of the histograms so far.
func (s *Service) LatencySnapshot() (deliver, ack, durable, commit hist.Snapshot) {
	return s.latency.Deliver.Snapshot(), s.latency.Ack.Snapshot(), s.latency.Durable.Snapshot(), s.latency.Commit.Snapshot()
}

// Limits returns the limits the service enforces.
func (s *Service) Limits() wire.Limits { return s.limits }

// Rooms returns how many boards are loaded.
func (s *Service) Rooms() int { return s.rooms.Len() }

// acquire returns the running room of board id, starting it if needed, and counts the
// caller in so that the room does not unload under it. Returns nil once the service is
// closing, and on one of many nodes when this node does not hold the board's lease
// and cannot take it (cluster.go).
func (s *Service) acquire(id string) *room {
	if s.cluster != nil {
		if _, err := s.own(s.ctx, id); err != nil {
			return nil
		}
	}
	var r *room
	s.rooms.Use(id, true, func(o *room) {
		o.refs++
		r = o
	})
	return r
}

// release undoes acquire and tells the room the session has left.
func (s *Service) release(r *room, sess *Session) {
	s.rooms.Use(r.id, false, func(*room) { r.refs-- })
	r.post(roomCmd{kind: cmdLeave, s: sess})
}

// tryUnload removes an idle room unless a session has acquired it since.
func (s *Service) tryUnload(r *room) bool {
	return s.rooms.Remove(r.id, func(*room) bool {
		if r.refs > 0 {
			return false
		}
		s.commit.reset(r.id)
		return true
	})
}

// Close closes every session (1001), waits until everything acknowledged is durable and
// every room has stored a final snapshot, then stops. The store is left open. Only the
// first call does anything; a later one returns at once, even before the first is done.
func (s *Service) Close() {
	s.mu.Lock()
	again := s.closing
	s.closing = true
	s.mu.Unlock()
	if again { // closed, or closing on another goroutine
		return
	}
	s.rooms.Close(nil) // rooms end with s.ctx, after their final snapshot
	if s.cfg.Voice != nil {
		s.cfg.Voice.Close()
	}
	s.cancel()
	s.rooms.Wait()
	s.wg.Wait()
	s.commit.close()
	if s.cluster != nil {
		s.releaseLeases() // after the rooms' final snapshots, written under the leases
	}
	close(s.stopIdle)
	s.presence.closeAll()
}
