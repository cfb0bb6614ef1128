package redisstore

import (
	"context"
	"testing"

	"tabula/collab"
	"tabula/collab/storetest"
	"tabula/internal/redistest"
	"tabula/internal/testtool"
)

func TestMain(m *testing.M) { testtool.Main(m) }

// open starts a redis-server of its own for t and opens a store on it.
func open(t testing.TB) (*Store, *redistest.Server) {
	t.Helper()
	srv := redistest.Start(t)
	s, err := Open(context.Background(), srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, srv
}

func TestStore(t *testing.T) {
	servers := map[collab.Store]*redistest.Server{}
	openStore := func(t *testing.T) collab.Store {
		s, srv := open(t)
		servers[s] = srv
		return s
	}
	// reopen kills Redis as a crash would and starts it again on its append-only file:
	// what the store acknowledged must all be there.
	reopen := func(t *testing.T, s collab.Store) collab.Store {
		srv := servers[s]
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		srv.Kill()
		srv.Restart()
		again, err := Open(context.Background(), srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { again.Close() })
		servers[again] = srv
		return again
	}
	storetest.Run(t, openStore, reopen)
}

func TestSharedRules(t *testing.T) {
	leases := map[*testing.T]*Store{}
	storetest.RunShared(t, func(t *testing.T) collab.Store {
		s, _ := open(t)
		leases[t] = s
		return s
	}, func(t *testing.T, board, value string) {
		if err := leases[t].rdb.Set(context.Background(), LeaseKey(board), value, 0).Err(); err != nil {
			t.Fatal(err)
		}
	})
}
