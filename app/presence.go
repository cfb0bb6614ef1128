package app

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tabula/collab"
)

// presence streams a board's roster (docs/protocol.md, "Presence"): a roster event,
// then join, leave and update events, resumable with Last-Event-ID.
func (s *Server) presence(role collab.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		b, err := s.lookup(c, role)
		if err != nil {
			return err
		}
		last := c.Get("Last-Event-ID")
		if last == "" {
			last = c.Query("lastEventId")
		}
		direct := directWriter(c.Context().Conn())
		link := b.EditID()
		if role == collab.RoleViewer {
			link = b.ViewID
		}
		return s.stream(c, func(send func([]byte) bool, heartbeat <-chan time.Time, gone <-chan struct{}) {
			sub := s.svc.SubscribeDirect(b.ID, role, last, direct)
			defer sub.Unsubscribe()
			// The link may have been replaced since it was looked up; a replacement
			// after this subscription ends the stream itself (collab.ReplaceLinks).
			if !s.linkWorks(role, link) {
				return
			}
			sub.Serve(send, heartbeat, gone)
		})
	}
}

// maxCountBoards bounds the boards one counts stream may watch.
const maxCountBoards = 50

// presenceCounts streams how many people are on each of the given boards (edit or view
// ids, comma-separated in ?ids=), as a counts event whenever a number changes.
func (s *Server) presenceCounts(c *fiber.Ctx) error {
	raw := strings.Split(c.Query("ids"), ",")
	if len(raw) > maxCountBoards {
		return fiber.NewError(fiber.StatusBadRequest, "at most 50 boards per stream")
	}
	boards := map[string]string{} // id as given → edit id
	for _, id := range raw {
		if !collab.ValidBoardID(id) {
			continue
		}
		if b, err := s.svc.Board(c.UserContext(), id); err == nil {
			boards[id] = b.ID
		} else if b, err := s.svc.BoardByView(c.UserContext(), id); err == nil {
			boards[id] = b.ID
		}
	}
	return s.stream(c, func(send func([]byte) bool, heartbeat <-chan time.Time, gone <-chan struct{}) {
		tick := time.NewTicker(s.countEvery)
		defer tick.Stop()
		var last []byte
		for {
			counts := make(map[string]int, len(boards))
			for given, id := range boards {
				counts[given] = s.svc.Present(id)
			}
			data, _ := json.Marshal(counts)
			if string(data) != string(last) {
				if !send(append(append([]byte("event: counts\ndata: "), data...), "\n\n"...)) {
					return
				}
				last = data
			}
			select {
			case <-tick.C:
			case <-heartbeat:
				if !send([]byte(": heartbeat\n\n")) {
					return
				}
			case <-s.done:
				return
			case <-gone:
				return
			}
		}
	})
}
