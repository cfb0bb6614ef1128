// Package migrate copies every board from one store to another (bbolt to Redis and
// back, for `tabula migrate`) and verifies the copy by counts and content hashes.
package migrate

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"tabula/collab"
	"tabula/collab/wire"
)

// Digest sums up a board as a store holds it: its counts, and a SHA-256 over all of it
// (metadata, seqs, log entries with their client ids, every client id ever applied,
// checkpoints, images with their stored times, authors) in a fixed order.
type Digest struct {
	Entries, Checkpoints, Batches, Images int
	ImageBytes                            int64
	Sum                                   [32]byte
}

func (d Digest) String() string {
	return fmt.Sprintf("%d log entries, %d checkpoints, %d batch ids, %d images (%d bytes), sha256 %x",
		d.Entries, d.Checkpoints, d.Batches, d.Images, d.ImageBytes, d.Sum)
}

// Sum computes d's digest.
func Sum(d *collab.BoardDump) Digest {
	h := sha256.New()
	put := func(b []byte) { // length-prefixed, so no two dumps hash alike by shifting bytes
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(b))))
		h.Write(b)
	}
	num := func(n int64) { h.Write(binary.BigEndian.AppendUint64(nil, uint64(n))) }
	meta, _ := json.Marshal(d.Meta)
	put(meta)
	num(d.LastSeq)
	num(d.Latest)
	out := Digest{Entries: len(d.Log), Checkpoints: len(d.Checkpoints), Batches: len(d.Batches), Images: len(d.Images)}
	for _, e := range d.Log {
		num(e.Seq)
		put([]byte(e.CID))
		put(e.Data)
	}
	for _, c := range d.Checkpoints {
		num(c.Seq)
		put(c.Data)
	}
	for _, cid := range slices.Sorted(maps.Keys(d.Batches)) {
		put([]byte(cid))
		num(d.Batches[cid])
	}
	imgs := slices.Clone(d.Images)
	slices.SortFunc(imgs, func(a, b collab.DumpedImage) int { return strings.Compare(a.Src, b.Src) })
	for _, im := range imgs {
		put([]byte(im.Src))
		if im.Stored.IsZero() {
			num(0)
		} else {
			num(im.Stored.UnixMilli())
		}
		put(im.Data)
		out.ImageBytes += int64(len(im.Data))
	}
	for _, sid := range slices.Sorted(maps.Keys(d.Authors)) {
		a := d.Authors[sid]
		put([]byte(sid))
		put([]byte(a.Name))
		put([]byte(a.Color))
	}
	copy(out.Sum[:], h.Sum(nil))
	return out
}

// Summary is what a migration copied.
type Summary struct {
	Boards, Entries, Checkpoints, Batches, Images int
	ImageBytes                                    int64
	Replaced                                      int // boards the target had and -force replaced
}

// ErrTargetNotEmpty is returned when the target holds boards and force is not set.
var ErrTargetNotEmpty = errors.New("the target is not empty")

// Copy copies every board of from into to, each in one transaction of the target, and
// verifies each against the source by its digest (read back from the target). It
// refuses a target that holds boards unless force, in which case a board of the same
// key is deleted from the target first. progress, if not nil, gets a line per board.
// Both stores must be collab.Dumpers.
func Copy(ctx context.Context, from, to collab.Store, force bool, progress io.Writer) (Summary, error) {
	var sum Summary
	src, ok1 := from.(collab.Dumper)
	dst, ok2 := to.(collab.Dumper)
	if !ok1 || !ok2 {
		return sum, fmt.Errorf("migrate: %T and %T must both dump and restore boards", from, to)
	}
	have, err := to.Boards(ctx)
	if err != nil {
		return sum, fmt.Errorf("migrate: list the target's boards: %w", err)
	}
	if len(have) > 0 && !force {
		return sum, fmt.Errorf("migrate: %w: it holds %d boards (-force copies over them, replacing boards of the same id)", ErrTargetNotEmpty, len(have))
	}
	boards, err := from.Boards(ctx)
	if err != nil {
		return sum, fmt.Errorf("migrate: list the source's boards: %w", err)
	}
	slices.SortFunc(boards, func(a, b collab.BoardMeta) int { return strings.Compare(a.ID, b.ID) })
	for _, m := range boards {
		d, err := src.DumpBoard(ctx, m.ID)
		if err != nil {
			return sum, fmt.Errorf("migrate: %w", err)
		}
		if force {
			if err := to.DeleteBoard(ctx, m.ID); err == nil {
				sum.Replaced++
			} else if wire.ErrorCode(err) != wire.ENotFound {
				return sum, fmt.Errorf("migrate: replace board %s: %w", collab.LogID(m.ID), err)
			}
		}
		if err := dst.RestoreBoard(ctx, d); err != nil {
			return sum, fmt.Errorf("migrate: %w", err)
		}
		want := Sum(d)
		back, err := dst.DumpBoard(ctx, m.ID)
		if err != nil {
			return sum, fmt.Errorf("migrate: verify: %w", err)
		}
		if got := Sum(back); got != want {
			return sum, fmt.Errorf("migrate: board %s differs after the copy: %v; the source has %v", collab.LogID(m.ID), got, want)
		}
		sum.Boards++
		sum.Entries += want.Entries
		sum.Checkpoints += want.Checkpoints
		sum.Batches += want.Batches
		sum.Images += want.Images
		sum.ImageBytes += want.ImageBytes
		if progress != nil {
			fmt.Fprintf(progress, "board %s: %v ok\n", collab.LogID(m.ID), want)
		}
	}
	return sum, nil
}
