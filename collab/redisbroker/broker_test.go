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
