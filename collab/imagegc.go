package collab

import (
	"bytes"
	"context"
	"math"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Unused uploads.
//
// An image is uploaded before the element that shows it is sent, and a client may
// never send that element (the tab closed, or a script uploads for the sake of it), so
// a board can hold images nothing uses. CollectImages deletes those once they have been
// unused for Retention.Images.
//
// An image is *used* by a board when its content address appears in any version of the
// board that can still be restored: in any retained checkpoint (the latest snapshot
// among them) or any retained log entry. Every version History offers is a checkpoint
// plus the log entries after it, so this covers them all: an image shown only by an
// element deleted an hour ago stays as long as the history from before the delete is
// kept, and restoring that version finds it. A deleted element stays in the board as a
// tombstone with all its fields (a patch can bring it back), so an image once placed is
// used for as long as its tombstone is kept, which today is for good; what gets
// collected is what was uploaded and never placed, and what only a version that
// thinning (CompactHistory) dropped showed, such as the first image of an element whose
// src was changed since.
//
// The scan looks for the address as bytes, "sha256:" and 64 hex digits, in the stored
// data: snapshots keep strings verbatim and log entries are the server's own JSON, in
// which an address needs no escaping. Anything that merely looks like an address (say,
// in a text element) keeps an image, which errs on the safe side.
//
// An upload is never collected within Retention.Images of being stored (storing it
// again, as a second paste does, starts the period again), and the deletion itself
// keeps any image that a log entry written after the scan mentions: an element sent
// while the scan ran is never left without its image.

// imageScanRate and imageScanBurst pace the scan, in bytes read a second, so that a
// sweep over large histories does not take the disk or a core from the boards in use.
const (
	imageScanRate  = 64 << 20
	imageScanBurst = 4 << 20
)

// imageGC is CollectImages's memory between sweeps.
type imageGC struct {
	mu      sync.Mutex // held for a whole sweep: one at a time
	started time.Time  // images stored without a time count as stored then
	pace    *rate.Limiter
	// used is, for boards with images, the addresses found in their history up to seq:
	// history only grows at its end (and shrinks by compaction, which at worst keeps an
	// image one sweep longer than needed, until the process restarts), so the next
	// sweep reads only the log after seq.
	used map[string]*usedImages
}

type usedImages struct {
	seq  int64
	srcs map[string]bool
}

// CollectImages deletes the images of every board not in the trash that no retained
// version of the board uses and that were stored more than Retention.Images before
// now, and returns how many it deleted. A board in the trash keeps its images until it
// is purged with everything else. Zero Retention.Images collects nothing.
//
// It reads each board's history in short read transactions at a bounded pace and
// takes no room's lock, so boards in use are not held up. The janitor runs it after
// Tidy; other callers must not run CompactHistory beside it.
func (s *Service) CollectImages(ctx context.Context, now time.Time) (int, error) {
	grace := s.cfg.Retention.Images
	if grace <= 0 {
		return 0, nil
	}
	g := &s.gc
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.pace == nil {
		g.pace = rate.NewLimiter(imageScanRate, imageScanBurst)
		g.used = make(map[string]*usedImages)
	}
	boards, err := s.store.Boards(ctx)
	if err != nil {
		return 0, err
	}
	cutoff := now.Add(-grace)
	total := 0
	live := make(map[string]bool, len(boards))
	for _, b := range boards {
		if ctx.Err() != nil {
			return total, ctx.Err()
		}
		live[b.ID] = true
		if !b.Deleted.IsZero() {
			continue
		}
		n, err := s.collectBoardImages(ctx, b.ID, cutoff)
		total += n
		if err != nil {
			return total, err
		}
	}
	for id := range g.used {
		if !live[id] {
			delete(g.used, id)
		}
	}
	return total, nil
}

// collectBoardImages deletes board id's unused images stored before cutoff.
func (s *Service) collectBoardImages(ctx context.Context, id string, cutoff time.Time) (int, error) {
	g := &s.gc
	imgs, err := s.store.Images(ctx, id)
	if err != nil || len(imgs) == 0 {
		delete(g.used, id)
		return 0, err
	}
	var old []StoredImage
	for _, img := range imgs {
		stored := img.Stored
		if stored.IsZero() {
			stored = g.started
		}
		if stored.Before(cutoff) {
			old = append(old, img)
		}
	}
	if len(old) == 0 {
		return 0, nil
	}
	used, err := s.usedImages(ctx, id)
	if err != nil {
		return 0, err
	}
	var drop []string
	var size int64
	for _, img := range old {
		if !used.srcs[img.Src] {
			drop = append(drop, img.Src)
			size += img.Size
		}
	}
	if len(drop) == 0 {
		return 0, nil
	}
	n, err := s.store.DeleteImages(ctx, id, drop, cutoff, used.seq)
	if err != nil {
		return 0, err
	}
	if n > 0 {
		s.log.Info("deleted unused images", "board", LogID(id), "images", n, "bytes_at_most", size)
	}
	return n, nil
}

// usedImages returns the image addresses in board id's retained history, reading only
// what was added since the last sweep when it has read the board before.
func (s *Service) usedImages(ctx context.Context, id string) (*usedImages, error) {
	g := &s.gc
	u := g.used[id]
	if u == nil {
		u = &usedImages{srcs: make(map[string]bool)}
		checkpoints, err := s.store.Checkpoints(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, seq := range checkpoints {
			snap, _, err := s.store.LoadAt(ctx, id, seq)
			if err != nil {
				return nil, err
			}
			if err := g.read(ctx, snap.Data, u.srcs); err != nil {
				return nil, err
			}
		}
		// u.seq stays 0: the whole log is read below, from its start.
	}
	for from := u.seq + 1; ; {
		page, err := s.store.LogRange(ctx, id, from, math.MaxInt64, 1000)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if err := g.read(ctx, e.Data, u.srcs); err != nil {
				return nil, err
			}
			u.seq = e.Seq
		}
		if len(page) < 1000 {
			break
		}
		from = page[len(page)-1].Seq + 1
	}
	g.used[id] = u
	return u, nil
}

// read adds the image addresses in data to srcs, after waiting its turn to read
// len(data) more bytes.
func (g *imageGC) read(ctx context.Context, data []byte, srcs map[string]bool) error {
	for n := len(data); n > 0; n -= imageScanBurst {
		if err := g.pace.WaitN(ctx, min(n, imageScanBurst)); err != nil {
			return err
		}
	}
	findSrcs(data, func(src string) { srcs[src] = true })
	return nil
}

// findSrcs calls found with every image address in data: "sha256:" and 64 hex digits,
// in lower case as stores key images.
func findSrcs(data []byte, found func(src string)) {
	const prefix = "sha256:"
	for {
		i := bytes.Index(data, []byte(prefix))
		if i < 0 {
			return
		}
		data = data[i+len(prefix):]
		if len(data) < 64 {
			return
		}
		n := 0
		for n < 64 && strings.IndexByte("0123456789abcdefABCDEF", data[n]) >= 0 {
			n++
		}
		if n == 64 {
			found(prefix + strings.ToLower(string(data[:64])))
			data = data[64:]
		}
	}
}
