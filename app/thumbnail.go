package app

import (
	"bytes"
	"strconv"
	"sync"

	"github.com/gofiber/fiber/v2"

	"tabula/collab"
	"tabula/collab/render"
	"tabula/collab/wire"
)

// Thumbnails are at most this many pixels, the size the home page shows them at on a
// dense screen.
const thumbW, thumbH = 480, 300

// thumbCache keeps the latest thumbnail of recently shown boards, keyed by edit id and
// valid while the board's seq is unchanged.
type thumbCache struct {
	mu   sync.Mutex
	m    map[string]thumb
	max  int
	keys []string // insertion order, for dropping the oldest
}

type thumb struct {
	seq  int64
	data []byte
}

func (t *thumbCache) get(id string, seq int64) ([]byte, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	th, ok := t.m[id]
	return th.data, ok && th.seq == seq
}

func (t *thumbCache) put(id string, seq int64, data []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]thumb{}
	}
	if _, ok := t.m[id]; !ok {
		t.keys = append(t.keys, id)
		if len(t.keys) > t.max {
			delete(t.m, t.keys[0])
			t.keys = t.keys[1:]
		}
	}
	t.m[id] = thumb{seq: seq, data: data}
}

// thumbnail answers GET /b/{id}/thumb.png (and /v/…): a small picture of the board for
// the home page, drawn when the board has changed since the last one. The ETag is the
// board's seq, so browsers revalidate cheaply.
func (s *Server) thumbnail(role collab.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		b, err := s.lookup(c, role)
		if err != nil {
			return err
		}
		ctx := c.UserContext()
		seq, err := s.svc.Seq(ctx, b.ID)
		if err != nil {
			return err
		}
		etag := `"` + strconv.FormatInt(seq, 10) + `"`
		c.Set(fiber.HeaderETag, etag)
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
		c.Set(fiber.HeaderContentType, "image/png")
		if c.Get(fiber.HeaderIfNoneMatch) == etag {
			return c.SendStatus(fiber.StatusNotModified)
		}
		if data, ok := s.thumbs.get(b.ID, seq); ok {
			return c.Send(data)
		}
		seq, els, err := s.svc.State(ctx, b.ID, 0)
		if err != nil {
			return err
		}
		// The first page, as a board opens: pages drawn over each other would be a muddle.
		els = wire.OnPage(els, wire.PageOrder(els)[0])
		render.Sort(els)
		var out bytes.Buffer
		err = s.drawing(c, func() error {
			return render.Render(&out, els, render.PNG, render.Options{
				Background: true, Padding: 24, FitWidth: thumbW, FitHeight: thumbH,
				Image: func(src string) []byte {
					data, _, err := s.svc.GetImage(ctx, b.ID, src)
					if err != nil {
						return nil
					}
					return data
				},
			})
		})
		if err != nil {
			return err
		}
		s.thumbs.put(b.ID, seq, out.Bytes())
		c.Set(fiber.HeaderETag, `"`+strconv.FormatInt(seq, 10)+`"`)
		return c.Send(out.Bytes())
	}
}
