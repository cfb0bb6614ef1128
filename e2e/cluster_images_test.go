package e2e

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"tabula/app/program"
	"tabula/collab/redisstore"
	"tabula/internal/redistest"
)

// A board's image limit holds across nodes: uploads through two nodes at once, more than
// the board may hold together, store exactly as many as it may, and the rest are told
// why. Each node checking its own way (count, then store) would let both pass.
func TestClusterImageLimitAcrossNodes(t *testing.T) {
	const limit, uploads = 10, 40
	srv := redistest.Start(t)
	nodes := startNodes(t, srv, 2, func(c *program.Config) {
		c.MaxBoardImages = limit
		c.ImageRate.PerMinute, c.ImageRate.Burst = 0, 0
	})
	// Forty uploads leave connections open; the nodes' shutdown waits for them.
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	s, err := redisstore.Open(context.Background(), srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// A few boards, one after the other: how uploads interleave varies.
	for range 3 {
		b := nodes[0].newBoard(t)
		stored := uploadAtOnce(t, nodes, b.ID, uploads)
		n, _, err := s.ImageUsage(context.Background(), b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored != limit || n != limit {
			t.Fatalf("%d of %d uploads through two nodes stored, the board holds %d images; want %d", stored, uploads, n, limit)
		}
	}
}

// uploadAtOnce uploads n different images to board id at once, spread over nodes, and
// returns how many were stored; every other must have been refused for the limit.
func uploadAtOnce(t *testing.T, nodes []*testServer, id string, n int) int {
	got := make([]upload, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			img := encodePNG(t, 4+i, 4)
			<-start
			got[i] = postImage(t, nodes[i%len(nodes)].URL+"/b/"+id+"/images", "", img)
		}()
	}
	close(start)
	wg.Wait()
	stored := 0
	for i, u := range got {
		switch {
		case u.status == 201:
			stored++
		case u.status != 413 || !strings.Contains(u.Error, "as many images as it may"):
			t.Errorf("upload %d: %d %q, want 201 or 413 naming the limit", i, u.status, u.Error)
		}
	}
	return stored
}
