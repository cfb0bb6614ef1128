package collab

import (
	"runtime"
	"slices"
	"sync"
)

// inParallel calls fn on parts of items: split over up to GOMAXPROCS goroutines when
// there are at least two chunks' worth, else once with all of them on this goroutine.
// It returns when every call has, so a fan-out done with it keeps each receiver's order.
func inParallel[T any](items []T, chunk int, fn func(part []T)) {
	workers := min(runtime.GOMAXPROCS(0), len(items)/chunk)
	if workers < 2 {
		fn(items)
		return
	}
	var wg sync.WaitGroup
	for part := range slices.Chunk(items, (len(items)+workers-1)/workers) {
		wg.Go(func() { fn(part) })
	}
	wg.Wait()
}
