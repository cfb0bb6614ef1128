package e2e

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"

	"tabula/app/program"
	"tabula/internal/redistest"
)

// Two nodes on a Redis Cluster of three primaries (-redis redis+cluster://…): boards,
// spread over the cluster's slots, are created on one node and edited through both, in
// one order; a board's image limit holds across the nodes.
func TestClusterOnRedisCluster(t *testing.T) {
	rc := redistest.StartCluster(t)
	var nodes []*testServer
	for range 2 {
		nodes = append(nodes, startServer(t, func(c *program.Config) {
			c.Redis = rc.URL()
			c.LeaseTTL = leaseTTL
			c.MaxBoardImages = 3
			c.ImageRate.PerMinute, c.ImageRate.Burst = 0, 0
		}))
	}
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	a, b := nodes[0], nodes[1]
	for i := range 3 { // three boards: most likely on more than one primary
		board := a.newBoard(t)
		peers := []*peer{join(t, a.wsURL("/b/", board.ID), 0), join(t, b.wsURL("/b/", board.ID), 0)}
		const batches = 10
		r := rand.New(rand.NewPCG(uint64(i), 7))
		for k := range batches {
			for j, p := range peers {
				if err := p.c.Send(map[string]any{"t": "ops", "cid": fmt.Sprintf("p%d-%d", j, k), "ops": randomOps(r, 2)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		for j, p := range peers {
			p.untilSeq(2 * batches)
			if len(p.errs) > 0 {
				t.Fatalf("board %d, peer %d got errors: %s", i, j, p.errs[0].Raw)
			}
		}
		if peers[0].doc.Canonical() != peers[1].doc.Canonical() {
			t.Fatalf("board %d: the peers on the two nodes differ", i)
		}
		if late := join(t, b.wsURL("/v/", board.ViewID), 0); late.doc.Canonical() != peers[0].doc.Canonical() {
			t.Fatalf("board %d: a viewer's welcome differs", i)
		}
		if stored := uploadAtOnce(t, nodes, board.ID, 8); stored != 3 {
			t.Fatalf("board %d: %d of 8 uploads through two nodes stored; want 3", i, stored)
		}
	}
}
