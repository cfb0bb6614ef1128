package collab

import (
	"crypto/sha256"
	"encoding/hex"
)

// LogID is how logs and error messages name a board: the first 8 hex digits of the
// SHA-256 of its id. A board's edit id is the key that lets anyone change it, and its
// view id lets anyone read it, so neither may reach a log file; the tag cannot be turned
// back into the id (which has 128 random bits) yet stays the same for the same board,
// so its lines can still be followed. Operators find a board's tag with
// `printf %s ID | sha256sum | cut -c1-8`.
func LogID(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:4])
}
