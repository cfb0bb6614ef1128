package collab

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Broker is what the nodes of one deployment share besides the Store: leases (which
// node owns a board, which node runs the janitor), the registry of live nodes, pub/sub
// and presence rosters. A single node needs none of it (Config.Broker nil: this node
// owns every board); collab/memory has an in-process Broker, collab/redisbroker the one
// nodes share through Redis. Implementations must be safe for concurrent use, and pass
// collab/brokertest.
//
// Many nodes, one owner per board at a time: a board's room runs only on the node that
// holds the board's lease. The lease carries a fencing token that strictly increases
// each time the lease is taken, and every write the room submits carries the lease
// (Write.Fence); the store refuses a write whose fence is not the board's lease now, so a
// stale owner (paused, partitioned) can never append after the lease moved.
type Broker interface {
	// Acquire takes lease name for node, for ttl, with a fresh fencing token. Returns
	// ErrLeaseHeld, with the lease as it is held, if a lease is live.
	Acquire(ctx context.Context, name, node string, ttl time.Duration) (Lease, error)
	// Renew extends l for ttl from now. Returns ErrLeaseLost if l is no longer the
	// lease (it expired, or another node took it since).
	Renew(ctx context.Context, l Lease, ttl time.Duration) error
	// Release gives l up, if it is still the lease; a lease that moved on is left alone.
	Release(ctx context.Context, l Lease) error
	// Holder returns the live lease name, and false if there is none.
	Holder(ctx context.Context, name string) (Lease, bool, error)

	// Announce records that node is alive and reachable at addr, for ttl.
	Announce(ctx context.Context, node, addr string, ttl time.Duration) error
	// NodeAddr returns the address of a live node, and false if node is not alive.
	NodeAddr(ctx context.Context, node string) (string, bool, error)
	// Withdraw forgets node at once (a clean shutdown).
	Withdraw(ctx context.Context, node string) error

	// Publish sends msg to every current subscriber of channel, on every node. Delivery
	// is at most once: a subscriber that falls behind or a node that is down misses it.
	Publish(ctx context.Context, channel string, msg []byte) error
	// Subscribe starts receiving what is published on channel. The subscription is
	// live when Subscribe returns.
	Subscribe(ctx context.Context, channel string) (Subscription, error)

	// PutRoster records node's part of board's roster (opaque bytes) for ttl; an empty
	// roster removes it.
	PutRoster(ctx context.Context, board, node string, roster []byte, ttl time.Duration) error
	// Rosters returns the live parts of board's roster, by node.
	Rosters(ctx context.Context, board string) (map[string][]byte, error)

	// Secret returns the deployment's shared secret, made once by whichever node asked
	// first. Nodes authenticate what they tell each other with it.
	Secret(ctx context.Context) ([]byte, error)
	// Ping reports whether the broker is reachable.
	Ping(ctx context.Context) error
	// Close releases the broker's connections.
	Close() error
}

// Subscription is a live subscription to one channel.
type Subscription interface {
	// C delivers the messages in the order published; it is closed by Close.
	C() <-chan []byte
	// Close ends the subscription.
	Close() error
}

// Lease is one holding of a named lease: the node that holds it and the fencing token
// it was given.
type Lease struct {
	Name  string
	Node  string
	Token int64
}

// Fence is the lease as the store compares it: "<node>:<token>".
func (l Lease) Fence() string { return l.Node + ":" + strconv.FormatInt(l.Token, 10) }

// ParseFence reads a lease value written by Fence.
func ParseFence(name, v string) (Lease, bool) {
	i := strings.LastIndexByte(v, ':')
	if i <= 0 {
		return Lease{}, false
	}
	tok, err := strconv.ParseInt(v[i+1:], 10, 64)
	if err != nil {
		return Lease{}, false
	}
	return Lease{Name: name, Node: v[:i], Token: tok}, true
}

var (
	// ErrLeaseHeld is Acquire's answer when another holding of the lease is live.
	ErrLeaseHeld = errors.New("lease held")
	// ErrLeaseLost is Renew's answer when the lease is no longer the caller's.
	ErrLeaseLost = errors.New("lease lost")
)

// JanitorLease is the lease of the node that runs the janitor's work (retention,
// image collection, trash purge) in a deployment of many nodes.
const JanitorLease = "janitor"
