// Package redisbroker is the collab.Broker nodes share through Redis (go-redis v9).
//
// Keys (every board key carries the board id as a {hash tag}, so that Redis Cluster
// keeps a board's keys on one shard, with the store's):
//
//	tabula:{<name>}:lease     the lease, "<node>:<token>", with a TTL (SET NX PX)
//	tabula:{<name>}:fence     the lease's fencing counter (INCR): tokens strictly increase
//	tabula:node:<node>        a live node's address, with a TTL (heartbeat)
//	tabula:{<board>}:roster:<node>  a node's part of a board's roster, with a TTL
//	tabula:{<board>}:rosters  the set of nodes that wrote a part (dead ones are pruned)
//	tabula:secret             the deployment's shared secret (SET NX once)
//
// On a Redis Cluster every command and script names keys of one slot (a lease and its
// fence, a board's roster parts and their set, share a hash tag; node and secret keys
// are one per command), and pub/sub is sharded (see Broker.sharded).
//
// A board's lease name is its id, so its lease key is the one collab/redisstore checks
// a write's fence against (redisstore.LeaseKey).
package redisbroker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"tabula/collab"
	"tabula/collab/redisstore"
)

var _ collab.Broker = (*Broker)(nil)

// Broker is a collab.Broker on Redis.
type Broker struct {
	rdb redis.UniversalClient // one Redis, or a cluster
	// sharded is set on a cluster: messages go by sharded pub/sub (SPUBLISH, Redis 7),
	// to the one primary that owns the channel's slot, where its subscribers are. Plain
	// PUBLISH would go to any node and reach the others over the cluster bus, every
	// message to every node, and two messages by different ways could swap places.
	sharded bool
}

// Open connects to the Redis at rawURL (redis://host:port/db, or a Redis Cluster as
// redis+cluster://host:port?addr=host2:port2; see redisstore.NewClient) and checks that
// it answers.
func Open(ctx context.Context, rawURL string) (*Broker, error) {
	rdb, addr, err := redisstore.NewClient(rawURL, redisstore.ClientOptions{DialTimeout: 2 * time.Second, IOTimeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("redis url %w", err)
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis at %s: %w", addr, err)
	}
	_, sharded := rdb.(*redis.ClusterClient)
	return &Broker{rdb: rdb, sharded: sharded}, nil
}

// LeaseKey is the key holding lease name.
func LeaseKey(name string) string { return "tabula:{" + name + "}:lease" }

func fenceKey(name string) string { return "tabula:{" + name + "}:fence" }

func nodeKey(node string) string { return "tabula:node:" + node }

func rosterKey(board, node string) string { return "tabula:{" + board + "}:roster:" + node }

func rostersKey(board string) string { return "tabula:{" + board + "}:rosters" }

const secretKey = "tabula:secret"

// acquire takes the lease if none is live, with the next fencing token, in one step:
// KEYS lease, fence; ARGV node, ttl ms. Returns {1, value} when taken, {0, value} with
// the live lease otherwise.
var acquire = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur then return {0, cur} end
local tok = redis.call('INCR', KEYS[2])
local v = ARGV[1] .. ':' .. tok
redis.call('SET', KEYS[1], v, 'PX', ARGV[2])
return {1, v}
`)

// renew extends the lease if it is still the caller's: KEYS lease; ARGV value, ttl ms.
var renew = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

// release deletes the lease if it is still the caller's: KEYS lease; ARGV value.
var release = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// Acquire takes lease name for node (collab.Broker).
func (b *Broker) Acquire(ctx context.Context, name, node string, ttl time.Duration) (collab.Lease, error) {
	res, err := acquire.Run(ctx, b.rdb, []string{LeaseKey(name), fenceKey(name)}, node, ttl.Milliseconds()).Slice()
	if err != nil {
		return collab.Lease{}, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	if len(res) != 2 {
		return collab.Lease{}, fmt.Errorf("acquire lease %s: unexpected reply %v", name, res)
	}
	v, _ := res[1].(string)
	l, ok := collab.ParseFence(name, v)
	if !ok {
		return collab.Lease{}, fmt.Errorf("acquire lease %s: malformed lease %q", name, v)
	}
	if taken, _ := res[0].(int64); taken != 1 {
		return l, collab.ErrLeaseHeld
	}
	return l, nil
}

// Renew extends l (collab.Broker).
func (b *Broker) Renew(ctx context.Context, l collab.Lease, ttl time.Duration) error {
	n, err := renew.Run(ctx, b.rdb, []string{LeaseKey(l.Name)}, l.Fence(), ttl.Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("renew lease %s: %w", l.Name, err)
	}
	if n != 1 {
		return collab.ErrLeaseLost
	}
	return nil
}

// Release gives l up (collab.Broker).
func (b *Broker) Release(ctx context.Context, l collab.Lease) error {
	if err := release.Run(ctx, b.rdb, []string{LeaseKey(l.Name)}, l.Fence()).Err(); err != nil {
		return fmt.Errorf("release lease %s: %w", l.Name, err)
	}
	return nil
}

// Holder returns the live lease name (collab.Broker).
func (b *Broker) Holder(ctx context.Context, name string) (collab.Lease, bool, error) {
	v, err := b.rdb.Get(ctx, LeaseKey(name)).Result()
	if errors.Is(err, redis.Nil) {
		return collab.Lease{}, false, nil
	}
	if err != nil {
		return collab.Lease{}, false, fmt.Errorf("lease %s: %w", name, err)
	}
	l, ok := collab.ParseFence(name, v)
	if !ok {
		return collab.Lease{}, false, fmt.Errorf("lease %s: malformed lease %q", name, v)
	}
	return l, true, nil
}

// Announce records node (collab.Broker).
func (b *Broker) Announce(ctx context.Context, node, addr string, ttl time.Duration) error {
	if err := b.rdb.Set(ctx, nodeKey(node), addr, ttl).Err(); err != nil {
		return fmt.Errorf("announce node: %w", err)
	}
	return nil
}

// NodeAddr returns a live node's address (collab.Broker).
func (b *Broker) NodeAddr(ctx context.Context, node string) (string, bool, error) {
	v, err := b.rdb.Get(ctx, nodeKey(node)).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("node %s: %w", node, err)
	}
	return v, true, nil
}

// Withdraw forgets node (collab.Broker).
func (b *Broker) Withdraw(ctx context.Context, node string) error {
	return b.rdb.Del(ctx, nodeKey(node)).Err()
}

// Publish sends msg on channel (collab.Broker).
func (b *Broker) Publish(ctx context.Context, channel string, msg []byte) error {
	publish := b.rdb.Publish
	if b.sharded {
		publish = b.rdb.SPublish
	}
	if err := publish(ctx, "tabula:"+channel, msg).Err(); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// subscription relays one Redis subscription's messages as bytes.
type subscription struct {
	c      chan []byte
	once   sync.Once
	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	ps     *redis.PubSub // nil while a sharded subscription follows its slot
	closed bool
}

func (s *subscription) C() <-chan []byte { return s.c }

func (s *subscription) Close() error {
	var err error
	s.once.Do(func() {
		s.cancel()
		s.mu.Lock()
		s.closed = true
		if s.ps != nil {
			err = s.ps.Close()
		}
		s.mu.Unlock()
		<-s.done
	})
	return err
}

// Subscribe starts a subscription to channel (collab.Broker). A subscriber that falls
// more than go-redis's channel buffer behind misses messages.
func (b *Broker) Subscribe(ctx context.Context, channel string) (collab.Subscription, error) {
	ps, err := b.subscribe(ctx, "tabula:"+channel)
	if err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	s := &subscription{ps: ps, c: make(chan []byte, 64), done: make(chan struct{})}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	go b.relay(s, "tabula:"+channel, ps)
	return s, nil
}

// subscribe subscribes to name and waits for Redis to confirm.
func (b *Broker) subscribe(ctx context.Context, name string) (*redis.PubSub, error) {
	subscribe := b.rdb.Subscribe
	if b.sharded {
		subscribe = b.rdb.SSubscribe
	}
	ps := subscribe(ctx, name)
	if _, err := ps.Receive(ctx); err != nil {
		ps.Close()
		return nil, err
	}
	return ps, nil
}

// relay hands on the messages of ps, s's subscription to name, until s is closed. On
// a cluster, Redis ends a sharded subscription when its slot moves to another primary
// (resharding); relay then subscribes again where the slot is now. What was published
// in between is lost, as over any reconnect: pub/sub carries only ephemeral traffic.
func (b *Broker) relay(s *subscription, name string, ps *redis.PubSub) {
	defer close(s.done)
	defer close(s.c)
	for ps != nil && b.forward(s, ps) {
		ps = b.resubscribe(s, name)
	}
}

// forward hands on the messages of ps until it ends: it returns true if Redis ended
// the subscription because its slot moved, false if it was closed.
func (b *Broker) forward(s *subscription, ps *redis.PubSub) bool {
	for m := range ps.ChannelWithSubscriptions() {
		switch m := m.(type) {
		case *redis.Message:
			select {
			case s.c <- []byte(m.Payload):
			case <-s.ctx.Done():
				return false
			}
		case *redis.Subscription:
			if b.sharded && m.Kind == "sunsubscribe" && m.Count == 0 {
				return true
			}
		}
	}
	return false
}

// resubscribe drops s's ended subscription and subscribes to name again, trying until
// it succeeds or s is closed (then it returns nil).
func (b *Broker) resubscribe(s *subscription, name string) *redis.PubSub {
	s.mu.Lock()
	if s.ps != nil {
		s.ps.Close()
		s.ps = nil
	}
	s.mu.Unlock()
	for delay := 20 * time.Millisecond; ; delay = min(2*delay, 2*time.Second) {
		if cc, ok := b.rdb.(*redis.ClusterClient); ok {
			cc.ReloadState(s.ctx) // learn the slot's new primary
		}
		ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
		ps, err := b.subscribe(ctx, name)
		cancel()
		if err == nil {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.closed {
				ps.Close()
				return nil
			}
			s.ps = ps
			return ps
		}
		select {
		case <-s.ctx.Done():
			return nil
		case <-time.After(delay):
		}
	}
}

// PutRoster records node's part of board's roster (collab.Broker).
func (b *Broker) PutRoster(ctx context.Context, board, node string, roster []byte, ttl time.Duration) error {
	_, err := b.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		if len(roster) == 0 {
			p.Del(ctx, rosterKey(board, node))
			p.SRem(ctx, rostersKey(board), node)
			return nil
		}
		p.Set(ctx, rosterKey(board, node), roster, ttl)
		p.SAdd(ctx, rostersKey(board), node)
		return nil
	})
	if err != nil {
		return fmt.Errorf("put roster: %w", err)
	}
	return nil
}

// Rosters returns board's live roster parts (collab.Broker); the parts of nodes that
// died are dropped from the set as they are found expired.
func (b *Broker) Rosters(ctx context.Context, board string) (map[string][]byte, error) {
	nodes, err := b.rdb.SMembers(ctx, rostersKey(board)).Result()
	if err != nil {
		return nil, fmt.Errorf("rosters: %w", err)
	}
	out := make(map[string][]byte, len(nodes))
	if len(nodes) == 0 {
		return out, nil
	}
	keys := make([]string, len(nodes))
	for i, n := range nodes {
		keys[i] = rosterKey(board, n)
	}
	vals, err := b.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("rosters: %w", err)
	}
	var gone []any
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[nodes[i]] = []byte(s)
		} else {
			gone = append(gone, nodes[i])
		}
	}
	if len(gone) > 0 {
		b.rdb.SRem(ctx, rostersKey(board), gone...)
	}
	return out, nil
}

// Secret returns the shared secret, making it if no node has (collab.Broker).
func (b *Broker) Secret(ctx context.Context) ([]byte, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	if err := b.rdb.SetNX(ctx, secretKey, hex.EncodeToString(buf), 0).Err(); err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	v, err := b.rdb.Get(ctx, secretKey).Result()
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	return hex.DecodeString(v)
}

// Ping reports whether Redis answers (collab.Broker).
func (b *Broker) Ping(ctx context.Context) error { return b.rdb.Ping(ctx).Err() }

// Close closes the connections (collab.Broker).
func (b *Broker) Close() error { return b.rdb.Close() }
