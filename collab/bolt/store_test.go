package bolt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tabula/collab"
	"tabula/collab/storetest"
)

func TestStore(t *testing.T) {
	paths := map[collab.Store]string{}
	open := func(t *testing.T) collab.Store {
		p := filepath.Join(t.TempDir(), "sub", "tabula.db")
		s, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		paths[s] = p
		return s
	}
	reopen := func(t *testing.T, s collab.Store) collab.Store {
		p := paths[s]
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		again, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { again.Close() })
		paths[again] = p
		return again
	}
	storetest.Run(t, open, reopen)
}

func TestOpenRefusesAFileInUse(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tabula.db")
	s, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(p); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second open: %v, want a clear 'in use' error", err)
	}
}

func TestOpenRefusesGarbage(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tabula.db")
	if err := os.WriteFile(p, []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(p); err == nil {
		s.Close()
		t.Fatal("opened a file that is not a database")
	}
}
