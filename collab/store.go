package collab

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"
)

// BoardMeta is what a board is apart from its elements.
type BoardMeta struct {
	ID      string    `json:"id"`   // the edit id; also the board's key in storage
	ViewID  string    `json:"view"` // the view-only id; unrelated to ID
	Title   string    `json:"title"`
	Created time.Time `json:"created"`
}

// LogEntry is one applied batch. Data is the exact ops broadcast sent to clients, so a
// resume is served from storage without re-encoding.
type LogEntry struct {
	Seq  int64
	CID  string // the client's batch id, indexed so a resend is never applied twice
	Data []byte
}

// Snapshot is a board's state at Seq in the room's own encoding.
type Snapshot struct {
	Seq  int64
	Data []byte
}

// Write is what one board asks to make durable. Entries are in seq order. Any part may
// be empty.
type Write struct {
	Board    string
	Entries  []LogEntry
	Snapshot *Snapshot
	Meta     *BoardMeta
}

// Store keeps boards durably. Implementations must be safe for concurrent use.
type Store interface {
	// CreateBoard stores a new board's metadata.
	CreateBoard(ctx context.Context, m BoardMeta) error
	// Board returns the board with edit id id. Returns ENotFound if there is none.
	Board(ctx context.Context, id string) (BoardMeta, error)
	// BoardByView returns the board whose view id is viewID. Returns ENotFound if none.
	BoardByView(ctx context.Context, viewID string) (BoardMeta, error)
	// Load returns a board's latest snapshot (Seq 0 and no Data if it has none) and every
	// log entry after it, in order.
	Load(ctx context.Context, id string) (Snapshot, []LogEntry, error)
	// BatchSeq returns the seq at which the batch with client id cid was applied to
	// board id, and false if it never was.
	BatchSeq(ctx context.Context, id, cid string) (int64, bool, error)
	// PutImage stores an image of board id under its content address src. Storing the
	// same image twice keeps one copy.
	PutImage(ctx context.Context, id, src string, data []byte) error
	// Image returns an image of board id. Returns ENotFound if there is none.
	Image(ctx context.Context, id, src string) ([]byte, error)
	// Commit makes all writes durable in one transaction: all of them or none.
	Commit(ctx context.Context, ws []Write) error
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
	if len(s) != BoardIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
