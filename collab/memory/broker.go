// Package memory is an in-process collab.Broker: leases, the node registry, pub/sub and
// rosters in one process's memory. It serves nodes that share a process (tests), and
// is the reference the Redis broker is held to (collab/brokertest).
package memory

import (
	"context"
	"crypto/rand"
	"sync"
	"time"

	"tabula/collab"
)

var _ collab.Broker = (*Broker)(nil)

// Broker is an in-process collab.Broker. The zero value is not usable; call NewBroker.
type Broker struct {
	now func() time.Time

	mu      sync.Mutex
	leases  map[string]held
	tokens  map[string]int64
	nodes   map[string]held
	rosters map[string]map[string]held
	subs    map[string]map[*sub]struct{}
	secret  []byte
}

// held is a value with an expiry.
type held struct {
	value   string
	lease   collab.Lease
	expires time.Time
}

// NewBroker returns an empty broker.
func NewBroker() *Broker {
	return &Broker{now: time.Now, leases: map[string]held{}, tokens: map[string]int64{}, nodes: map[string]held{},
		rosters: map[string]map[string]held{}, subs: map[string]map[*sub]struct{}{}}
}

func (b *Broker) live(h held, ok bool) bool { return ok && b.now().Before(h.expires) }

// Acquire takes lease name for node (collab.Broker).
func (b *Broker) Acquire(_ context.Context, name, node string, ttl time.Duration) (collab.Lease, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if h, ok := b.leases[name]; b.live(h, ok) {
		return h.lease, collab.ErrLeaseHeld
	}
	b.tokens[name]++
	l := collab.Lease{Name: name, Node: node, Token: b.tokens[name]}
	b.leases[name] = held{lease: l, expires: b.now().Add(ttl)}
	return l, nil
}

// Renew extends l (collab.Broker).
func (b *Broker) Renew(_ context.Context, l collab.Lease, ttl time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	h, ok := b.leases[l.Name]
	if !b.live(h, ok) || h.lease != l {
		return collab.ErrLeaseLost
	}
	h.expires = b.now().Add(ttl)
	b.leases[l.Name] = h
	return nil
}

// Release gives l up (collab.Broker).
func (b *Broker) Release(_ context.Context, l collab.Lease) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if h, ok := b.leases[l.Name]; ok && h.lease == l {
		delete(b.leases, l.Name)
	}
	return nil
}

// Holder returns the live lease name (collab.Broker).
func (b *Broker) Holder(_ context.Context, name string) (collab.Lease, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h, ok := b.leases[name]
	if !b.live(h, ok) {
		return collab.Lease{}, false, nil
	}
	return h.lease, true, nil
}

// Announce records node (collab.Broker).
func (b *Broker) Announce(_ context.Context, node, addr string, ttl time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.nodes[node] = held{value: addr, expires: b.now().Add(ttl)}
	return nil
}

// NodeAddr returns a live node's address (collab.Broker).
func (b *Broker) NodeAddr(_ context.Context, node string) (string, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h, ok := b.nodes[node]
	if !b.live(h, ok) {
		return "", false, nil
	}
	return h.value, true, nil
}

// Withdraw forgets node (collab.Broker).
func (b *Broker) Withdraw(_ context.Context, node string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.nodes, node)
	return nil
}

// subBuffer is how many messages a subscriber may fall behind before it misses some.
const subBuffer = 1024

type sub struct {
	b       *Broker
	channel string
	c       chan []byte
	once    sync.Once
}

func (s *sub) C() <-chan []byte { return s.c }

func (s *sub) Close() error {
	s.once.Do(func() {
		s.b.mu.Lock()
		delete(s.b.subs[s.channel], s)
		if len(s.b.subs[s.channel]) == 0 {
			delete(s.b.subs, s.channel)
		}
		close(s.c)
		s.b.mu.Unlock()
	})
	return nil
}

// Publish sends msg to channel's subscribers (collab.Broker). A subscriber whose buffer
// is full misses it.
func (b *Broker) Publish(_ context.Context, channel string, msg []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs[channel] {
		select {
		case s.c <- append([]byte(nil), msg...):
		default:
		}
	}
	return nil
}

// Subscribe starts a subscription to channel (collab.Broker).
func (b *Broker) Subscribe(_ context.Context, channel string) (collab.Subscription, error) {
	s := &sub{b: b, channel: channel, c: make(chan []byte, subBuffer)}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs[channel] == nil {
		b.subs[channel] = map[*sub]struct{}{}
	}
	b.subs[channel][s] = struct{}{}
	return s, nil
}

// PutRoster records node's part of board's roster (collab.Broker).
func (b *Broker) PutRoster(_ context.Context, board, node string, roster []byte, ttl time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(roster) == 0 {
		delete(b.rosters[board], node)
		if len(b.rosters[board]) == 0 {
			delete(b.rosters, board)
		}
		return nil
	}
	if b.rosters[board] == nil {
		b.rosters[board] = map[string]held{}
	}
	b.rosters[board][node] = held{value: string(roster), expires: b.now().Add(ttl)}
	return nil
}

// Rosters returns board's live roster parts (collab.Broker).
func (b *Broker) Rosters(_ context.Context, board string) (map[string][]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string][]byte{}
	for node, h := range b.rosters[board] {
		if b.live(h, true) {
			out[node] = []byte(h.value)
		} else {
			delete(b.rosters[board], node)
		}
	}
	return out, nil
}

// Secret returns the shared secret (collab.Broker).
func (b *Broker) Secret(context.Context) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.secret == nil {
		b.secret = make([]byte, 32)
		if _, err := rand.Read(b.secret); err != nil {
			return nil, err
		}
	}
	return b.secret, nil
}

// Ping always succeeds (collab.Broker).
func (b *Broker) Ping(context.Context) error { return nil }

// Close does nothing (collab.Broker).
func (b *Broker) Close() error { return nil }
