package redisbroker_test

import (
	"context"
	"testing"

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
