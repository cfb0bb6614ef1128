package program

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"tabula/collab"
	"tabula/collab/redisbroker"
	"tabula/collab/redisstore"
)

// shared is what a node of many uses instead of the data file: the store and the
// broker on Redis (-redis), and the address the other nodes reach this one at.
type shared struct {
	store  *redisstore.Store
	broker *redisbroker.Broker
	addr   string
}

// openShared connects to the Redis of -redis. ln is this node's listener, whose port
// completes the node's address when -node-addr is not set.
func openShared(cfg Config, ln net.Addr) (*shared, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr, err := nodeAddr(cfg.NodeAddr, cfg.Addr, ln)
	if err != nil {
		return nil, err
	}
	store, err := redisstore.Open(ctx, cfg.Redis)
	if err != nil {
		return nil, fmt.Errorf("-redis: %w", err)
	}
	broker, err := redisbroker.Open(ctx, cfg.Redis)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("-redis: %w", err)
	}
	return &shared{store: store, broker: broker, addr: addr}, nil
}

// Close closes the connections to Redis.
func (s *shared) Close() error {
	return errors.Join(s.broker.Close(), s.store.Close())
}

// nodeAddr is the address the other nodes reach this one at: -node-addr if given, else
// the listening address, with this machine's name when it listens on every interface.
func nodeAddr(flag, listen string, ln net.Addr) (string, error) {
	if flag != "" {
		if _, _, err := net.SplitHostPort(flag); err != nil {
			return "", fmt.Errorf("-node-addr must be host:port, not %q", flag)
		}
		return flag, nil
	}
	host, _, _ := net.SplitHostPort(listen)
	_, port, err := net.SplitHostPort(ln.String())
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		if host, err = os.Hostname(); err != nil {
			return "", fmt.Errorf("-node-addr: %w", err)
		}
	}
	return net.JoinHostPort(host, port), nil
}

// Broker is the program's broker with -redis, for tests; nil on a single node.
func (p *Program) Broker() collab.Broker {
	if p.shared == nil {
		return nil
	}
	return p.shared.broker
}
