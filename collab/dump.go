package collab

import (
	"context"
	"time"
)

// BoardDump is everything a store holds for one board, as `tabula migrate` moves it
// from one store to another.
type BoardDump struct {
	Meta BoardMeta
	// LastSeq is the seq of the board's last batch; its log can end earlier once
	// compacted, and the next batch must still follow it.
	LastSeq int64
	// Latest is the seq of the checkpoint that is the board's latest snapshot; 0 if none.
	Latest      int64
	Checkpoints []Snapshot // complete checkpoints, ascending
	Log         []LogEntry // ascending, each with its CID where the store knows it
	// Batches maps the client id of every batch ever applied, compacted ones too, to its
	// seq, so that a resend is recognised on the new store.
	Batches map[string]int64
	Images  []DumpedImage
	Authors map[string]Author
}

// DumpedImage is an image with its content and when it was last stored (zero if the
// store did not record it).
type DumpedImage struct {
	Src    string
	Data   []byte
	Stored time.Time
}

// Dumper is a Store that reads and writes whole boards, for migration between stores.
type Dumper interface {
	// DumpBoard returns everything stored for board id, read consistently. Returns
	// ENotFound if there is no such board.
	DumpBoard(ctx context.Context, id string) (*BoardDump, error)
	// RestoreBoard stores d as a new board, exactly (stored times, checkpoints, seqs),
	// in one transaction. Fails if the board's key, edit id or view id is taken.
	RestoreBoard(ctx context.Context, d *BoardDump) error
}
