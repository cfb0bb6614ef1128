package collab

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"tabula/collab/board"
)

// Retention says how long history and deleted boards are kept.
type Retention struct {
	// Full is how long every change is kept. Older history is thinned to one version a
	// day (the last of each day, UTC). Zero keeps everything.
	Full time.Duration
	// Trash is how long a deleted board stays restorable before it is purged. Zero
	// keeps deleted boards for good.
	Trash time.Duration
	// Images is how long an uploaded image that no retained version of its board uses
	// is kept before it is deleted (see CollectImages). Zero keeps such images for good.
	Images time.Duration
	// Every is how often the janitor looks; zero means an hour.
	Every time.Duration
}

// DefaultRetention is what a server runs with unless configured otherwise.
var DefaultRetention = Retention{Full: 30 * 24 * time.Hour, Trash: 30 * 24 * time.Hour, Images: 24 * time.Hour, Every: time.Hour}

// startJanitor runs Tidy and CollectImages now and then every Retention.Every until the
// service closes, in one goroutine of its own: never a room's.
func (s *Service) startJanitor() {
	every := s.cfg.Retention.Every
	if every <= 0 {
		every = time.Hour
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if !s.janitorTurn(s.ctx, every) {
				select {
				case <-t.C:
					continue
				case <-s.ctx.Done():
					return
				}
			}
			if err := s.Tidy(s.ctx, time.Now()); err != nil && s.ctx.Err() == nil {
				s.log.Error("tidy history and trash", "err", err)
			}
			// After Tidy, never beside it: CollectImages reads history that
			// CompactHistory rewrites.
			if _, err := s.CollectImages(s.ctx, time.Now()); err != nil && s.ctx.Err() == nil {
				s.log.Error("collect unused images", "err", err)
			}
			select {
			case <-t.C:
			case <-s.ctx.Done():
				return
			}
		}
	}()
}

// Tidy purges boards that have been in the trash longer than Retention.Trash and thins
// the history of the others older than Retention.Full, as of now.
func (s *Service) Tidy(ctx context.Context, now time.Time) error {
	ret := s.cfg.Retention
	if ret.Full <= 0 && ret.Trash <= 0 {
		return nil
	}
	boards, err := s.store.Boards(ctx)
	if err != nil {
		return err
	}
	for _, b := range boards {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		switch {
		case !b.Deleted.IsZero():
			if ret.Trash > 0 && now.Sub(b.Deleted) > ret.Trash && !s.loaded(b.ID) {
				if err := s.store.DeleteBoard(ctx, b.ID); err != nil {
					return err
				}
				s.log.Info("purged deleted board", "board", LogID(b.ID))
			}
		case ret.Full > 0:
			if err := s.CompactHistory(ctx, b.ID, now.Add(-ret.Full)); err != nil {
				return err
			}
		}
	}
	return nil
}

// CompactHistory thins board id's history older than cutoff to one version a day: the
// log before cutoff is replaced by checkpoints at the last batch of each day and at
// the last batch before cutoff. It never touches the current board (the latest snapshot
// and the log after it), so nothing anyone sees changes.
func (s *Service) CompactHistory(ctx context.Context, id string, cutoff time.Time) error {
	// The latest snapshot is the newest checkpoint: history up to it may go.
	checkpoints, err := s.store.Checkpoints(ctx, id)
	if err != nil || len(checkpoints) == 0 {
		return err
	}
	latest := checkpoints[len(checkpoints)-1]
	// Read the log from its start while it is older than the cutoff, up to the latest
	// snapshot: a board with nothing old costs one read.
	var old []LogEntry
	for from := int64(0); ; {
		page, err := s.store.LogRange(ctx, id, from, latest, 1000)
		if err != nil {
			return err
		}
		n := len(old)
		for _, e := range page {
			if entryTime(e.Data) >= cutoff.UnixMilli() {
				break
			}
			old = append(old, e)
		}
		if len(page) < 1000 || len(old)-n < len(page) {
			break
		}
		from = page[len(page)-1].Seq + 1
	}
	if len(old) == 0 {
		return nil
	}
	first, upTo := old[0].Seq, old[len(old)-1].Seq
	snap, tail, err := s.store.LoadAt(ctx, id, first-1)
	if err != nil {
		return err
	}
	if len(tail) != 0 || snap.Seq != first-1 {
		return fmt.Errorf("compact %s: no checkpoint at %d, where its log starts", LogID(id), first-1)
	}
	st, err := board.LoadState(snap, nil)
	if err != nil {
		return fmt.Errorf("compact %s: %w", LogID(id), err)
	}
	var keep []Snapshot
	for i, e := range old {
		if err := st.Replay(e.Data); err != nil {
			return fmt.Errorf("compact %s: replay %d: %w", LogID(id), e.Seq, err)
		}
		if i == len(old)-1 || day(entryTime(e.Data)) != day(entryTime(old[i+1].Data)) {
			keep = append(keep, st.Snapshot())
		}
	}
	kept := make(map[int64]bool, len(keep))
	for _, k := range keep {
		kept[k.Seq] = true
	}
	var drop []int64
	for _, seq := range checkpoints {
		if seq >= first && seq <= upTo && !kept[seq] {
			drop = append(drop, seq)
		}
	}
	return s.store.Compact(ctx, id, keep, drop, upTo)
}

// entryTime is the server time (ms since epoch) of a stored broadcast: its "at".
func entryTime(frame []byte) int64 {
	var f struct {
		At int64 `json:"at"`
	}
	if err := jsonUnmarshalPrefix(frame, &f); err != nil {
		return 0
	}
	return f.At
}

func day(ms int64) int64 { return ms / (24 * 3600 * 1000) }

// jsonUnmarshalPrefix decodes the first JSON value of data into v, ignoring the rest
// of its fields.
func jsonUnmarshalPrefix(data []byte, v any) error {
	err := json.NewDecoder(bytes.NewReader(data)).Decode(v)
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
