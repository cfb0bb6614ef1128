package app

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// BackupFunc writes a consistent copy of the data file to w, calling size with its
// length before the first byte (bolt.Store.Backup).
type BackupFunc func(w io.Writer, size func(int64)) (int64, error)

// BackupHandler answers GET /backup on the admin listener with a consistent copy of the
// data file, taken while the server goes on serving; a server started on the copy has
// every op that was acknowledged before the request arrived. The length is sent first,
// so a copy cut short is known by its client: when the copy fails midway the
// connection is broken off rather than ended cleanly.
func BackupHandler(backup BackupFunc, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		name := fmt.Sprintf("tabula-%s.db", start.UTC().Format("20060102T150405Z"))
		started := false
		n, err := backup(w, func(size int64) {
			started = true
			h := w.Header()
			h.Set("Content-Type", "application/octet-stream")
			h.Set("Content-Length", strconv.FormatInt(size, 10))
			h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
			h.Set("Cache-Control", "no-store")
		})
		if err != nil {
			log.Error("backup failed", "bytes", n, "err", err)
			if !started {
				http.Error(w, "backup failed", http.StatusInternalServerError)
				return
			}
			panic(http.ErrAbortHandler) // the client sees a short body, not a whole one
		}
		log.Info("backup sent", "bytes", n, "took", time.Since(start).Round(time.Millisecond))
	})
}
