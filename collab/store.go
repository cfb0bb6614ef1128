package collab

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"tabula/collab/board"
	"tabula/collab/wire"
)

// BoardMeta is what a board is apart from its elements.
type BoardMeta struct {
	// ID is the board's key in storage and in memory (rooms, presence): its first edit
	// id, which it keeps when that link is replaced. Links are built with EditID.
	ID     string `json:"id"`
	ViewID string `json:"view"` // the view-only id; unrelated to ID
	// Edit is the edit id once the first was replaced (ReplaceLinks); empty until then,
	// while ID is the edit id.
	Edit    string    `json:"edit,omitempty"`
	Title   string    `json:"title"`
	Created time.Time `json:"created"`
	// Canvas is the id of the board's canvas colour (CanvasColors); empty for the
	// default, as on boards made before boards had one.
	Canvas string `json:"canvas,omitempty"`
	// NoViewerVoice is set when the board's editors have kept view-only visitors out of
	// voice chat.
	NoViewerVoice bool `json:"noViewerVoice,omitempty"`
	// Deleted is when an editor moved the board to the trash; zero for a live board.
	Deleted time.Time `json:"deleted,omitzero"`
}

// EditID is the board's edit id now: the id in its edit link.
func (m *BoardMeta) EditID() string {
	if m.Edit == "" {
		return m.ID
	}
	return m.Edit
}

// CanvasID is the id of the board's canvas colour, the default's when none was chosen.
func (m *BoardMeta) CanvasID() string {
	if m.Canvas == "" {
		return wire.CanvasColors[0].ID
	}
	return m.Canvas
}

// A board's log entries and snapshots are the board model's (collab/board); the
// store keeps them as they are.
type (
	LogEntry = board.LogEntry
	Snapshot = board.Snapshot
)

// Write is what one board asks to make durable. Entries are in seq order. Any part may
// be empty.
type Write struct {
	Board    string
	Entries  []LogEntry
	Snapshot *Snapshot
	// SnapshotPart is one part of a snapshot written over several transactions (see
	// committer): parts are written in order, and the snapshot becomes the board's
	// latest, and a checkpoint, with its last part. Until then it is not seen at all.
	SnapshotPart *SnapshotPart
	Meta         *BoardMeta
	// Create makes Meta a new board (its view id indexed): the write fails if either
	// id exists. An imported board is created with its content in one transaction.
	Create bool
	// Relink says that Meta carries a new edit id, view id or both: in the same
	// transaction the ids Meta replaces stop resolving and the new ones resolve. The
	// write fails if a new id is taken.
	Relink bool
	// Images are stored for the board by content address, like PutImage.
	Images map[string][]byte
	// Authors records the name and colour of sessions that changed the board, for its
	// history.
	Authors map[string]Author
	// Fence is, in shared mode, the value of the board's lease this node holds: a shared
	// store refuses the write unless the lease still holds exactly this value, so a node
	// that lost its lease (paused, cut off) cannot append after the next owner has. ""
	// asks for no check. bbolt, which one node owns, ignores it.
	Fence string
}

// EachCommitter is a Store that can commit writes of many boards independently: one
// board's refused or failed write does not fail the others. CommitEach returns one
// error per write, nil for those that are durable. Writes of one board are applied in
// order, all or none. The committer uses it when the store has it (a shared store, whose
// writes to one board can be refused because another node owns it now).
type EachCommitter interface {
	CommitEach(ctx context.Context, ws []Write) []error
}

// ErrFenced is wrapped by the error of a write that a store shared by several nodes
// refuses because this node's view of the board is stale: the board's lease no longer
// holds the write's Fence (another node owns the board now), its first batch does not
// follow the board's last seq, or a batch's client id was applied already. The room
// should be dropped and reloaded, not the store retried. bbolt, owned by one node,
// never returns it.
var ErrFenced = errors.New("refused by the shared store")

// SnapshotPart is part Index of Count of the snapshot at Seq.
type SnapshotPart struct {
	Seq          int64
	Index, Count int
	Data         []byte
}

// ImageLimit is how many images, and how many bytes of them, a board may hold.
type ImageLimit struct {
	Count int
	Bytes int64
}

// ErrImageQuota is returned by Store.PutImageWithin for an image that would take its
// board over its ImageLimit.
var ErrImageQuota = errors.New("the board holds as many images as it may")

// StoredImage is an image as a store lists it.
type StoredImage struct {
	Src  string
	Size int64
	// Stored is when the image was last stored (uploaded or imported); zero when the
	// store did not record it (images from before it did).
	Stored time.Time
}

// Author is how a session that changed a board was named.
type Author struct {
	Name  string `json:"name"`
	Color string `json:"color"`
}

// Store keeps boards durably. Implementations must be safe for concurrent use.
type Store interface {
	// CreateBoard stores a new board's metadata.
	CreateBoard(ctx context.Context, m BoardMeta) error
	// Board returns the board whose key (BoardMeta.ID) is id. Returns ENotFound if
	// there is none.
	Board(ctx context.Context, id string) (BoardMeta, error)
	// BoardByEdit returns the board whose edit id (BoardMeta.EditID) is editID: a
	// replaced edit id is not one. Returns ENotFound if none.
	BoardByEdit(ctx context.Context, editID string) (BoardMeta, error)
	// BoardByView returns the board whose view id is viewID. Returns ENotFound if none.
	BoardByView(ctx context.Context, viewID string) (BoardMeta, error)
	// Load returns a board's latest snapshot (Seq 0 and no Data if it has none) and every
	// log entry after it, in order.
	Load(ctx context.Context, id string) (Snapshot, []LogEntry, error)
	// BatchSeq returns the seq at which the batch with client id cid was applied to
	// board id, and false if it never was.
	BatchSeq(ctx context.Context, id, cid string) (int64, bool, error)
	// PutImage stores an image of board id under its content address src. Storing the
	// same image twice keeps one copy; either way the image's Stored time becomes now.
	PutImage(ctx context.Context, id, src string, data []byte) error
	// PutImageWithin stores an image like PutImage if board id then holds at most
	// lim.Count images of lim.Bytes in all, checked and stored in one step, so that
	// uploads through several nodes at once cannot pass the limit together. It returns
	// ErrImageQuota, storing nothing, when the image would take the board over. An image
	// the board has already is stored again (its Stored time renewed) whatever the limit.
	PutImageWithin(ctx context.Context, id, src string, data []byte, lim ImageLimit) error
	// Image returns an image of board id. Returns ENotFound if there is none.
	Image(ctx context.Context, id, src string) ([]byte, error)
	// ImageUsage returns how many images board id has and their bytes in all.
	ImageUsage(ctx context.Context, id string) (count int, bytes int64, err error)
	// Images lists the images of board id, in no particular order.
	Images(ctx context.Context, id string) ([]StoredImage, error)
	// DeleteImages deletes, in one transaction, those images srcs of board id that were
	// last stored before before and that no log entry with seq above after contains
	// (as bytes): the caller found them unused as of seq after, and an image stored
	// again or put on the board since then stays. Returns how many it deleted.
	DeleteImages(ctx context.Context, id string, srcs []string, before time.Time, after int64) (int, error)
	// Commit makes all writes durable in one transaction: all of them or none. Every
	// snapshot written is also kept as a checkpoint of the board's history. A snapshot
	// written in parts counts (for Load, LoadAt, Checkpoints) once its last part is.
	Commit(ctx context.Context, ws []Write) error
	// LoadAt returns the board as of seq: the newest checkpoint at or before seq (Seq 0
	// and no Data if there is none) and the log entries after it up to seq, in order.
	LoadAt(ctx context.Context, id string, seq int64) (Snapshot, []LogEntry, error)
	// Log returns up to limit log entries with seq below before (0: the newest),
	// newest first.
	Log(ctx context.Context, id string, before int64, limit int) ([]LogEntry, error)
	// LogRange returns up to limit log entries with from ≤ seq ≤ to, oldest first.
	LogRange(ctx context.Context, id string, from, to int64, limit int) ([]LogEntry, error)
	// Checkpoints returns the seqs of a board's checkpoints, ascending.
	Checkpoints(ctx context.Context, id string) ([]int64, error)
	// Authors returns the names recorded for the sessions that changed a board.
	Authors(ctx context.Context, id string) (map[string]Author, error)
	// Compact rewrites old history in one transaction: it stores the checkpoints in
	// keep, deletes the checkpoints whose seqs are in drop, and deletes every log entry
	// with seq ≤ upTo.
	Compact(ctx context.Context, id string, keep []Snapshot, drop []int64, upTo int64) error
	// Boards returns every board's metadata.
	Boards(ctx context.Context) ([]BoardMeta, error)
	// DeleteBoard removes a board and everything stored for it.
	DeleteBoard(ctx context.Context, id string) error
	// Close releases the store.
	Close() error
}

// idEncoding spells random ids in URL-safe base64 without padding.
var idEncoding = base64.RawURLEncoding

// BoardIDLen is the length of an edit or view id: 128 random bits in base64url.
const BoardIDLen = 22

// NewBoardID returns a fresh, unguessable board id (128 random bits).
func NewBoardID() string { return randomID(16) }

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on supported systems
	}
	return idEncoding.EncodeToString(b)
}

// ValidBoardID reports whether s has the shape of a board id, so that malformed ids are
// refused before any lookup or allocation.
func ValidBoardID(s string) bool {
	return len(s) == BoardIDLen && wire.URLSafe(s)
}
