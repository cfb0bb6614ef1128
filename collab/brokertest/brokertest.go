// Package brokertest is the test suite every collab.Broker implementation must pass.
package brokertest

import (
	"context"
	"errors"
	"testing"
	"time"

	"tabula/collab"
)

// Run runs the suite. open returns a fresh broker; brokers from two calls need not
// share anything. Leases live ttl in the tests that wait for one to expire.
func Run(t *testing.T, open func(t *testing.T) collab.Broker) {
	ctx := context.Background()
	const long = time.Minute
	const short = 300 * time.Millisecond
	// until waits for cond with a deadline.
	until := func(t *testing.T, what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	t.Run("LeaseIsExclusive", func(t *testing.T) {
		b := open(t)
		a, err := b.Acquire(ctx, "board1", "A", long)
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.Acquire(ctx, "board1", "B", long)
		if !errors.Is(err, collab.ErrLeaseHeld) || got != a {
			t.Fatalf("second acquire: %+v, %v; want %+v, ErrLeaseHeld", got, err, a)
		}
		if h, ok, err := b.Holder(ctx, "board1"); err != nil || !ok || h != a {
			t.Fatalf("holder: %+v %v %v; want %+v", h, ok, err, a)
		}
		// Another name is another lease.
		if _, err := b.Acquire(ctx, "board2", "B", long); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("FencingTokensStrictlyIncrease", func(t *testing.T) {
		b := open(t)
		var last int64
		for i := 0; i < 5; i++ {
			l, err := b.Acquire(ctx, "board", []string{"A", "B"}[i%2], long)
			if err != nil {
				t.Fatal(err)
			}
			if l.Token <= last {
				t.Fatalf("token %d after %d", l.Token, last)
			}
			last = l.Token
			if l.Fence() == "" {
				t.Fatal("empty fence")
			}
			if err := b.Release(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("ExpiryFreesLease", func(t *testing.T) {
		b := open(t)
		a, err := b.Acquire(ctx, "board", "A", short)
		if err != nil {
			t.Fatal(err)
		}
		var l collab.Lease
		until(t, "the lease to expire", func() bool {
			l, err = b.Acquire(ctx, "board", "B", long)
			return err == nil
		})
		if l.Node != "B" || l.Token <= a.Token {
			t.Fatalf("after expiry: %+v; want B's with a token above %d", l, a.Token)
		}
		if err := b.Renew(ctx, a, long); !errors.Is(err, collab.ErrLeaseLost) {
			t.Fatalf("renew of the expired lease: %v; want ErrLeaseLost", err)
		}
	})

	t.Run("RenewKeepsLease", func(t *testing.T) {
		b := open(t)
		// Each renewal comes a quarter of the TTL after the last (as an owner renews,
		// with room for a slow machine), until well past the TTL the lease was taken
		// with: only the renewals can have kept it.
		ttl := 2 * short
		start := time.Now()
		a, err := b.Acquire(ctx, "board", "A", ttl)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; time.Since(start) < ttl+short; i++ {
			if err := b.Renew(ctx, a, ttl); err != nil {
				t.Fatalf("renew %d, %v after taking the lease: %v", i, time.Since(start), err)
			}
			time.Sleep(ttl / 4)
		}
		if h, ok, _ := b.Holder(ctx, "board"); !ok || h != a {
			t.Fatalf("holder %+v %v after renewals; want %+v", h, ok, a)
		}
	})

	t.Run("RenewOrReleaseByNonHolderFails", func(t *testing.T) {
		b := open(t)
		a, err := b.Acquire(ctx, "board", "A", long)
		if err != nil {
			t.Fatal(err)
		}
		forged := collab.Lease{Name: "board", Node: "B", Token: a.Token}
		if err := b.Renew(ctx, forged, long); !errors.Is(err, collab.ErrLeaseLost) {
			t.Fatalf("renew by B: %v; want ErrLeaseLost", err)
		}
		stale := a
		stale.Token--
		if err := b.Renew(ctx, stale, long); !errors.Is(err, collab.ErrLeaseLost) {
			t.Fatalf("renew with an old token: %v; want ErrLeaseLost", err)
		}
		if err := b.Release(ctx, forged); err != nil {
			t.Fatal(err)
		}
		if h, ok, _ := b.Holder(ctx, "board"); !ok || h != a {
			t.Fatalf("a release by B freed A's lease: %+v %v", h, ok)
		}
		if err := b.Release(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := b.Holder(ctx, "board"); ok {
			t.Fatal("lease still held after its holder released it")
		}
	})

	t.Run("NodeRegistry", func(t *testing.T) {
		b := open(t)
		if err := b.Announce(ctx, "A", "10.0.0.1:8080", short); err != nil {
			t.Fatal(err)
		}
		if err := b.Announce(ctx, "B", "10.0.0.2:8080", long); err != nil {
			t.Fatal(err)
		}
		if addr, ok, err := b.NodeAddr(ctx, "A"); err != nil || !ok || addr != "10.0.0.1:8080" {
			t.Fatalf("A: %q %v %v", addr, ok, err)
		}
		until(t, "A's entry to expire", func() bool {
			_, ok, _ := b.NodeAddr(ctx, "A")
			return !ok
		})
		if err := b.Withdraw(ctx, "B"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := b.NodeAddr(ctx, "B"); ok {
			t.Fatal("B still listed after Withdraw")
		}
	})

	t.Run("PubSubDelivers", func(t *testing.T) {
		b := open(t)
		s1, err := b.Subscribe(ctx, "ch")
		if err != nil {
			t.Fatal(err)
		}
		defer s1.Close()
		s2, err := b.Subscribe(ctx, "ch")
		if err != nil {
			t.Fatal(err)
		}
		other, err := b.Subscribe(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		for _, m := range []string{"one", "two", "three"} {
			if err := b.Publish(ctx, "ch", []byte(m)); err != nil {
				t.Fatal(err)
			}
		}
		for _, s := range []collab.Subscription{s1, s2} {
			for _, want := range []string{"one", "two", "three"} {
				select {
				case got := <-s.C():
					if string(got) != want {
						t.Fatalf("got %q, want %q", got, want)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("no %q", want)
				}
			}
		}
		if err := s2.Close(); err != nil {
			t.Fatal(err)
		}
		if _, open := <-s2.C(); open {
			t.Fatal("a closed subscription's channel is still open")
		}
		select {
		case m := <-other.C():
			t.Fatalf("a subscriber of another channel got %q", m)
		default:
		}
	})

	t.Run("RosterEntriesExpire", func(t *testing.T) {
		b := open(t)
		if err := b.PutRoster(ctx, "board", "A", []byte("a-people"), short); err != nil {
			t.Fatal(err)
		}
		if err := b.PutRoster(ctx, "board", "B", []byte("b-people"), long); err != nil {
			t.Fatal(err)
		}
		got, err := b.Rosters(ctx, "board")
		if err != nil || string(got["A"]) != "a-people" || string(got["B"]) != "b-people" || len(got) != 2 {
			t.Fatalf("rosters %q, %v", got, err)
		}
		until(t, "A's part to expire", func() bool {
			got, err = b.Rosters(ctx, "board")
			return err == nil && got["A"] == nil
		})
		if string(got["B"]) != "b-people" {
			t.Fatalf("B's part went with A's: %q", got)
		}
		if err := b.PutRoster(ctx, "board", "B", nil, long); err != nil {
			t.Fatal(err)
		}
		if got, _ := b.Rosters(ctx, "board"); len(got) != 0 {
			t.Fatalf("rosters after B emptied its part: %q", got)
		}
	})

	t.Run("SecretIsShared", func(t *testing.T) {
		b := open(t)
		s1, err := b.Secret(ctx)
		if err != nil || len(s1) < 16 {
			t.Fatalf("secret %x, %v", s1, err)
		}
		s2, err := b.Secret(ctx)
		if err != nil || string(s1) != string(s2) {
			t.Fatalf("second secret %x, %v; want the first", s2, err)
		}
		if err := b.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
