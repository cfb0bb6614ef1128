// Package redisstore keeps boards in Redis, so that several Tabula nodes serve the same
// boards and a node holds nothing another needs (shared mode, issue 15).
//
// # Keys
//
// Every key of a board carries the hash tag {<board key>}, so that Redis Cluster keeps
// a board in one slot and a board's write is one atomic script:
//
//	tabula:{id}:meta     string  metadata (JSON, collab.BoardMeta)
//	tabula:{id}:seq      string  seq of the board's last batch
//	tabula:{id}:log      stream  the op log: entry ID <seq>-0, fields c (client id), d (data)
//	tabula:{id}:cids     hash    client id → seq of every batch, for BatchSeq and resends
//	tabula:{id}:snap     string  seq of the checkpoint that is the latest snapshot
//	tabula:{id}:cp       zset    seqs of the complete checkpoints (score = seq)
//	tabula:{id}:cpdata   hash    "<seq>:<i>" → part i of checkpoint seq; "<seq>:n" → its
//	                             number of parts, written with the last (whole: one part)
//	tabula:{id}:img      hash    content address → image bytes
//	tabula:{id}:imgt     hash    content address → when last stored (Unix ms)
//	tabula:{id}:authors  hash    session id → name and colour (JSON)
//	tabula:{id}:lease    string  the lease of the node that owns the board (LeaseKey);
//	                             written by the cluster code, checked here (Write.Fence)
//
// Lookups across boards are keys of their own (each its own slot in a cluster):
//
//	tabula:boards        set     every board's key
//	tabula:view:<view>   string  view id → board key
//	tabula:edit:<edit>   string  replaced edit id → board key (a board never relinked is
//	                             found by its key, which is its edit id)
//
// A lookup checks the metadata it lands on (its edit or view id is the one asked), so a
// claim left by a crash between the lookup key and the board's own write resolves to
// nothing.
//
// Open takes one Redis endpoint (a primary; replicas through ?wait=) or a Redis Cluster
// (redis+cluster://). On a cluster, every command and script names keys of one slot: a
// board's own keys share its hash tag, and the lookup keys above are read and written
// one per command; a pipeline is split by go-redis among the nodes.
//
// # Durability
//
// A commit returns once Redis has replied, and Redis replies to a write only after
// applying it. How durable that is depends on Redis's configuration, which Open checks
// and warns about:
//
//   - appendonly yes with appendfsync always: Redis fsyncs its append-only file before
//     it replies, so an acknowledged batch survives a crash of Redis or of its machine.
//     Cost: one fsync per Redis event-loop turn (Redis groups the writes of all clients
//     that arrived together, and the committer groups many boards in one pipeline), so
//     a disk's fsync latency bounds the write rate, not the number of boards.
//   - ?wait=N in the URL: after each commit the store sends WAIT N (timeout
//     ?wait_timeout=, 1s by default) and fails the commit unless N replicas have the
//     write. That survives the loss of the primary's machine with replication and
//     failover but no fsync; cost: one network round trip to the replicas per commit,
//     and a commit that fails though its write landed (a resend is then recognised by
//     its client id). Both can be combined.
//   - anything else (appendfsync everysec, no AOF): up to a second of acknowledged
//     batches is lost when Redis crashes. Open logs a warning.
package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"tabula/collab"
	"tabula/collab/wire"
)

// ErrFenced is wrapped by the error of a write the board's state in Redis refuses: the
// board's lease no longer holds the write's Fence, its first batch does not follow the
// board's last seq, or a batch's client id was applied already. It is collab.ErrFenced,
// so the service tells it apart without knowing this package.
var ErrFenced = collab.ErrFenced

// Store is a collab.Store on Redis. It is safe for concurrent use.
type Store struct {
	rdb         redis.UniversalClient // one Redis, or a cluster
	wait        int                   // replicas WAIT asks for after each write; 0: none
	waitTimeout time.Duration         // how long WAIT waits
	log         *slog.Logger
}

var (
	_ collab.Store         = (*Store)(nil)
	_ collab.EachCommitter = (*Store)(nil)
	_ collab.Dumper        = (*Store)(nil)
)

// Timeouts unless the URL says otherwise (dial_timeout, read_timeout, write_timeout):
// with Redis down or unreachable an operation fails within seconds, never hangs.
const (
	dialTimeout = 2 * time.Second
	ioTimeout   = 5 * time.Second
)

// Open connects to the Redis at rawURL (redis://[user:password@]host:port/db, or
// rediss:// for TLS; redis+cluster://host:port?addr=host2:port2 for a Redis Cluster, see
// NewClient; go-redis's options as query parameters, and wait= and wait_timeout= as the
// package doc says) and checks that it answers. It logs a warning to slog's default
// logger if Redis (every primary, on a cluster) does not keep acknowledged writes durably.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	s := &Store{log: slog.Default(), waitTimeout: time.Second}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redis URL %q: want redis://host:port/db", redact(rawURL))
	}
	q := u.Query()
	if v := q.Get("wait"); v != "" {
		if s.wait, err = strconv.Atoi(v); err != nil || s.wait < 0 {
			return nil, fmt.Errorf("redis URL: wait=%q: want a number of replicas", v)
		}
	}
	if v := q.Get("wait_timeout"); v != "" {
		if s.waitTimeout, err = time.ParseDuration(v); err != nil || s.waitTimeout <= 0 {
			return nil, fmt.Errorf("redis URL: wait_timeout=%q: want a duration such as 500ms", v)
		}
	}
	loggerOnce.Do(func() { redis.SetLogger(slogLogger{}) })
	rdb, addr, err := NewClient(rawURL, ClientOptions{DialTimeout: dialTimeout, IOTimeout: ioTimeout, NoRetries: true})
	if err != nil {
		return nil, fmt.Errorf("redis URL %w", err)
	}
	if _, ok := rdb.(*redis.ClusterClient); ok && s.wait > 0 {
		// WAIT counts the replicas of one connection's writes; a commit's writes go to
		// as many primaries as it has boards' slots.
		rdb.Close()
		return nil, errors.New("redis URL: wait= is for one Redis with replicas; on a cluster, set appendfsync always on every primary")
	}
	s.rdb = rdb
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		s.rdb.Close()
		return nil, fmt.Errorf("redis at %s: %w", addr, err)
	}
	s.checkDurability(ctx, addr)
	return s, nil
}

// loggerOnce sets go-redis's logger, which is global, to one that writes through slog
// like the rest of Tabula.
var loggerOnce sync.Once

type slogLogger struct{}

func (slogLogger) Printf(ctx context.Context, format string, v ...any) {
	slog.Default().WarnContext(ctx, "redis client: "+fmt.Sprintf(format, v...))
}

// checkDurability warns when Redis, or any primary of a cluster, may lose writes it
// acknowledged.
func (s *Store) checkDurability(ctx context.Context, addr string) {
	check := func(ctx context.Context, c *redis.Client) error {
		cfg, err := c.ConfigGet(ctx, "append*").Result()
		if err != nil {
			s.log.Warn("redis: cannot read the durability settings (CONFIG GET is disabled?); make sure appendonly is yes and appendfsync always, or use ?wait=", "addr", c.Options().Addr, "err", err)
			return nil
		}
		if cfg["appendonly"] == "yes" && cfg["appendfsync"] == "always" {
			return nil
		}
		if s.wait > 0 {
			s.log.Info("redis: acknowledged writes rely on replicas (WAIT)", "addr", addr, "replicas", s.wait, "appendonly", cfg["appendonly"], "appendfsync", cfg["appendfsync"])
			return nil
		}
		s.log.Warn("redis: acknowledged ops can be lost if Redis crashes: set appendonly yes and appendfsync always, or wait for replicas with ?wait=1",
			"addr", c.Options().Addr, "appendonly", cfg["appendonly"], "appendfsync", cfg["appendfsync"])
		return nil
	}
	switch c := s.rdb.(type) {
	case *redis.Client:
		check(ctx, c)
	case *redis.ClusterClient:
		if err := c.ForEachMaster(ctx, check); err != nil {
			s.log.Warn("redis: cannot reach every primary to read its durability settings", "addr", addr, "err", err)
		}
	}
}

// redact hides a password in a URL for error messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			return "…" + raw[i:]
		}
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxx")
	}
	return u.String()
}

// Client is the store's Redis client, for the cluster code to share its connections.
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Close closes the connections.
func (s *Store) Close() error { return s.rdb.Close() }

// LeaseKey is the key of board id's lease, the value a Write's Fence must match.
func LeaseKey(id string) string { return boardKey(id, "lease") }

func boardKey(id, what string) string { return "tabula:{" + id + "}:" + what }

const boardsKey = "tabula:boards"

func viewKey(view string) string { return "tabula:view:" + view }
func editKey(edit string) string { return "tabula:edit:" + edit }

// keys are a board's keys in the order the scripts take them.
type keys struct {
	meta, seq, log, cids, snap, cp, cpdata, img, imgt, authors, lease string
}

func keysOf(id string) keys {
	return keys{
		meta: boardKey(id, "meta"), seq: boardKey(id, "seq"), log: boardKey(id, "log"), cids: boardKey(id, "cids"),
		snap: boardKey(id, "snap"), cp: boardKey(id, "cp"), cpdata: boardKey(id, "cpdata"),
		img: boardKey(id, "img"), imgt: boardKey(id, "imgt"), authors: boardKey(id, "authors"), lease: LeaseKey(id),
	}
}

// stored are the keys that hold the board (not its lease, which the cluster code owns).
func (k keys) stored() []string {
	return []string{k.meta, k.seq, k.log, k.cids, k.snap, k.cp, k.cpdata, k.img, k.imgt, k.authors}
}

var errNotFound = &wire.Error{Code: wire.ENotFound, Msg: "no such board"}

// CreateBoard stores a new board's metadata and view id.
func (s *Store) CreateBoard(ctx context.Context, m collab.BoardMeta) error {
	return s.Commit(ctx, []collab.Write{{Board: m.ID, Meta: &m, Create: true}})
}

// Board returns a board by key; ENotFound if unknown.
func (s *Store) Board(ctx context.Context, id string) (collab.BoardMeta, error) {
	return s.meta(ctx, id)
}

func (s *Store) meta(ctx context.Context, id string) (collab.BoardMeta, error) {
	var m collab.BoardMeta
	v, err := s.rdb.Get(ctx, boardKey(id, "meta")).Bytes()
	if errors.Is(err, redis.Nil) {
		return m, errNotFound
	}
	if err != nil {
		return m, fmt.Errorf("read board %s: %w", collab.LogID(id), err)
	}
	if err := json.Unmarshal(v, &m); err != nil {
		return m, fmt.Errorf("decode board %s: %w", collab.LogID(id), err)
	}
	return m, nil
}

// BoardByEdit returns a board by its current edit id; ENotFound if unknown or replaced.
func (s *Store) BoardByEdit(ctx context.Context, editID string) (collab.BoardMeta, error) {
	key, err := s.rdb.Get(ctx, editKey(editID)).Result()
	if errors.Is(err, redis.Nil) {
		key = editID
	} else if err != nil {
		return collab.BoardMeta{}, fmt.Errorf("look up edit id: %w", err)
	}
	m, err := s.meta(ctx, key)
	if err == nil && m.EditID() != editID { // the board's first edit id, replaced
		return collab.BoardMeta{}, errNotFound
	}
	return m, err
}

// BoardByView returns a board by view id; ENotFound if unknown.
func (s *Store) BoardByView(ctx context.Context, viewID string) (collab.BoardMeta, error) {
	key, err := s.rdb.Get(ctx, viewKey(viewID)).Result()
	if errors.Is(err, redis.Nil) {
		return collab.BoardMeta{}, errNotFound
	}
	if err != nil {
		return collab.BoardMeta{}, fmt.Errorf("look up view id: %w", err)
	}
	m, err := s.meta(ctx, key)
	if err == nil && m.ViewID != viewID { // replaced, or a claim a crash left
		return collab.BoardMeta{}, errNotFound
	}
	return m, err
}

// Boards returns every board's metadata.
func (s *Store) Boards(ctx context.Context) ([]collab.BoardMeta, error) {
	ids, err := s.rdb.SMembers(ctx, boardsKey).Result()
	if err != nil {
		return nil, fmt.Errorf("list boards: %w", err)
	}
	const batch = 1000
	var out []collab.BoardMeta
	for len(ids) > 0 {
		n := min(batch, len(ids))
		pipe := s.rdb.Pipeline()
		cmds := make([]*redis.StringCmd, n)
		for i, id := range ids[:n] {
			cmds[i] = pipe.Get(ctx, boardKey(id, "meta"))
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("list boards: %w", err)
		}
		for i, c := range cmds {
			v, err := c.Bytes()
			if errors.Is(err, redis.Nil) {
				continue // a create that a crash cut short, or a board being deleted
			}
			var m collab.BoardMeta
			if err == nil {
				err = json.Unmarshal(v, &m)
			}
			if err != nil {
				return nil, fmt.Errorf("decode board %s: %w", collab.LogID(ids[i]), err)
			}
			out = append(out, m)
		}
		ids = ids[n:]
	}
	return out, nil
}

// DeleteBoard removes a board and everything stored for it.
func (s *Store) DeleteBoard(ctx context.Context, id string) error {
	m, err := s.meta(ctx, id)
	if err != nil {
		return err
	}
	pipe := s.rdb.Pipeline()
	pipe.Del(ctx, keysOf(id).stored()...)
	pipe.Del(ctx, viewKey(m.ViewID))
	if m.Edit != "" {
		pipe.Del(ctx, editKey(m.Edit))
	}
	pipe.SRem(ctx, boardsKey, id)
	if _, err := s.exec(ctx, pipe); err != nil {
		return fmt.Errorf("delete board %s: %w", collab.LogID(id), err)
	}
	return nil
}

// exec runs pipe, followed, when the store waits for replicas (wait=N), by WAIT on the
// same connection: WAIT counts the replicas that have that connection's writes.
func (s *Store) exec(ctx context.Context, pipe redis.Pipeliner) ([]redis.Cmder, error) {
	var wait *redis.Cmd
	if s.wait > 0 {
		wait = pipe.Do(ctx, "WAIT", s.wait, s.waitTimeout.Milliseconds())
	}
	cmds, err := pipe.Exec(ctx)
	if err == nil && wait != nil {
		err = s.waited(wait.Int64())
	}
	return cmds, err
}

func (s *Store) waited(n int64, err error) error {
	if err != nil {
		return fmt.Errorf("wait for replicas: %w", err)
	}
	if n < int64(s.wait) {
		return fmt.Errorf("only %d of %d replicas have the write after %v", n, s.wait, s.waitTimeout)
	}
	return nil
}
