package redisstore

import (
	"context"
	"testing"

	"tabula/collab"
	"tabula/collab/storetest"
	"tabula/internal/redistest"
)

// The shared store suite on a real Redis Cluster of three primaries: a command or
// script whose keys fall in two slots fails there with CROSSSLOT, so this finds any
// that the keys' hash tags do not cover. Every case starts on an empty cluster.
func TestOnCluster(t *testing.T) {
	c := redistest.StartCluster(t)
	open := func(t *testing.T) *Store {
		s, err := Open(context.Background(), c.URL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	fresh := func(t *testing.T) collab.Store {
		c.Flush(t)
		return open(t)
	}
	t.Run("Store", func(t *testing.T) {
		// Durability across a crash is TestStore's; here reopening is a new client.
		storetest.Run(t, fresh, func(t *testing.T, s collab.Store) collab.Store {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			return open(t)
		})
	})
	t.Run("Shared", func(t *testing.T) {
		stores := map[*testing.T]*Store{}
		storetest.RunShared(t, func(t *testing.T) collab.Store {
			c.Flush(t)
			stores[t] = open(t)
			return stores[t]
		}, func(t *testing.T, board, value string) {
			if err := stores[t].rdb.Set(context.Background(), LeaseKey(board), value, 0).Err(); err != nil {
				t.Fatal(err)
			}
		})
	})
}
