package redisbroker_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"tabula/collab"
	"tabula/collab/brokertest"
	"tabula/collab/redisbroker"
	"tabula/internal/redistest"
)

func TestBroker(t *testing.T) {
	brokertest.Run(t, func(t *testing.T) collab.Broker {
		srv := redistest.Start(t)
		b, err := redisbroker.Open(context.Background(), srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	})
}

// The broker suite on a real Redis Cluster of three primaries: every script and
// multi-key command must name keys of one slot, and pub/sub must cross the nodes (a
// subscriber and a publisher may be connected to different ones). Every case starts on
// an empty cluster.
func TestBrokerOnCluster(t *testing.T) {
	c := redistest.StartCluster(t)
	brokertest.Run(t, func(t *testing.T) collab.Broker {
		c.Flush(t)
		b, err := redisbroker.Open(context.Background(), c.URL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	})
}

// When resharding moves a channel's slot to another primary, Redis ends the sharded
// subscriptions there; a subscriber then follows the slot and gets what is published
// after the move (what was published during it may be lost, as during a reconnect).
func TestSubscriptionFollowsItsSlot(t *testing.T) {
	c := redistest.StartCluster(t)
	ctx := context.Background()
	b, err := redisbroker.Open(ctx, c.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	sub, err := b.Subscribe(ctx, "board:x")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	c.MoveSlot(t, c.Slot(t, "tabula:board:x"))
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		want := fmt.Sprintf("after %d", i)
		if err := b.Publish(ctx, "board:x", []byte(want)); err != nil {
			t.Fatal(err)
		}
		select {
		case got, ok := <-sub.C():
			if !ok {
				t.Fatal("the subscription ended with the slot's move")
			}
			if strings.HasPrefix(string(got), "after ") {
				return
			}
		case <-time.After(100 * time.Millisecond): // then publish again
		}
		if time.Now().After(deadline) {
			t.Fatal("nothing published after the slot moved arrived within 10 s")
		}
	}
}
