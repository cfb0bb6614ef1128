package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"tabula/collab"
)

// runImages checks the listing and conditional deletion of images that CollectImages
// relies on.
// tick waits until the clock has passed the next millisecond: stored times are in
// milliseconds.
func tick() {
	for start := time.Now().UnixMilli(); time.Now().UnixMilli() <= start; {
		runtime.Gosched()
	}
}

func runImages(t *testing.T, open func(t *testing.T) collab.Store, board func(*testing.T, collab.Store) collab.BoardMeta) {
	ctx := context.Background()
	t.Run("ImagesListedWithStoredTime", func(t *testing.T) {
		s := open(t)
		m := board(t, s)
		before := time.Now().Add(-time.Second)
		if err := s.PutImage(ctx, m.ID, "sha256:a", []byte("12345")); err != nil {
			t.Fatal(err)
		}
		imported := collab.Write{Board: m.ID, Images: map[string][]byte{"sha256:b": []byte("123")}}
		if err := s.Commit(ctx, []collab.Write{imported}); err != nil {
			t.Fatal(err)
		}
		imgs, err := s.Images(ctx, m.ID)
		if err != nil || len(imgs) != 2 {
			t.Fatalf("images %+v, %v", imgs, err)
		}
		slices.SortFunc(imgs, func(a, b collab.StoredImage) int { return len(b.Src) - len(a.Src) + int(b.Size-a.Size) })
		for i, want := range []struct {
			src  string
			size int64
		}{{"sha256:a", 5}, {"sha256:b", 3}} {
			if imgs[i].Src != want.src || imgs[i].Size != want.size || imgs[i].Stored.Before(before) || imgs[i].Stored.After(time.Now().Add(time.Second)) {
				t.Errorf("image %d: %+v, want %s of %d bytes stored just now", i, imgs[i], want.src, want.size)
			}
		}
	})
	t.Run("DeleteImagesKeepsWhatChangedSince", func(t *testing.T) {
		s := open(t)
		m, other := board(t, s), board(t, s)
		for _, src := range []string{"sha256:unused", "sha256:putlater", "sha256:again"} {
			if err := s.PutImage(ctx, m.ID, src, []byte("img")); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.PutImage(ctx, other.ID, "sha256:unused", []byte("img")); err != nil {
			t.Fatal(err)
		}
		// A sweep found all three unused as of seq 1, stored before its cutoff; then an
		// element shows one (seq 2) and another is uploaded again, before it deletes.
		tick()
		cutoff := time.Now()
		tick()
		log := []collab.LogEntry{
			{Seq: 1, CID: "c1", Data: []byte(`{"ops":[{"o":"put","el":{"src":"sha256:unused"}}]}`)},
			{Seq: 2, CID: "c2", Data: []byte(`{"ops":[{"o":"put","el":{"src":"sha256:putlater"}}]}`)},
		}
		if err := s.Commit(ctx, []collab.Write{{Board: m.ID, Entries: log}}); err != nil {
			t.Fatal(err)
		}
		tick()
		if err := s.PutImage(ctx, m.ID, "sha256:again", []byte("img")); err != nil {
			t.Fatal(err)
		}
		n, err := s.DeleteImages(ctx, m.ID, []string{"sha256:unused", "sha256:putlater", "sha256:again", "sha256:none"}, cutoff, 1)
		if err != nil || n != 1 {
			t.Errorf("deleted %d, %v; want 1", n, err)
		}
		for src, want := range map[string]bool{"sha256:unused": false, "sha256:putlater": true, "sha256:again": true} {
			if _, err := s.Image(ctx, m.ID, src); (err == nil) != want {
				t.Errorf("%s: present %v, want %v", src, err == nil, want)
			}
		}
		if _, err := s.Image(ctx, other.ID, "sha256:unused"); err != nil {
			t.Errorf("the other board's copy went too: %v", err)
		}
		if n, size, _ := s.ImageUsage(ctx, m.ID); n != 2 || size != 6 {
			t.Errorf("usage %d images, %d bytes; want 2, 6", n, size)
		}
	})
	t.Run("ImageLimitHoldsUnderConcurrentUploads", func(t *testing.T) {
		// Uploads through several nodes at once reach the store together: the limit is
		// kept only if the store checks and stores in one step.
		const uploads, size = 24, 100
		for _, c := range []struct {
			name string
			lim  collab.ImageLimit
		}{
			{"ByCount", collab.ImageLimit{Count: 5, Bytes: 1 << 20}},
			{"ByBytes", collab.ImageLimit{Count: 1000, Bytes: 5*size + size/2}},
		} {
			t.Run(c.name, func(t *testing.T) {
				s := open(t)
				m := board(t, s)
				errs := make([]error, uploads)
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i := range uploads {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						data := []byte(fmt.Sprintf("%0*d", size, i))
						errs[i] = s.PutImageWithin(ctx, m.ID, fmt.Sprintf("sha256:%d", i), data, c.lim)
					}()
				}
				close(start)
				wg.Wait()
				stored, refused := 0, 0
				for i, err := range errs {
					switch {
					case err == nil:
						stored++
					case errors.Is(err, collab.ErrImageQuota):
						refused++
					default:
						t.Errorf("upload %d: %v, want nil or ErrImageQuota", i, err)
					}
				}
				n, bytes, err := s.ImageUsage(ctx, m.ID)
				if err != nil {
					t.Fatal(err)
				}
				if stored != 5 || refused != uploads-5 || n != 5 || bytes != 5*size {
					t.Errorf("%d uploads stored, %d refused; the board holds %d images of %d bytes; want 5 stored (%d bytes), %d refused",
						stored, refused, n, bytes, 5*size, uploads-5)
				}
				// Full, the board still takes an image it has (a second paste), and
				// nothing new.
				for i, err := range errs {
					if err == nil {
						if err := s.PutImageWithin(ctx, m.ID, fmt.Sprintf("sha256:%d", i), []byte(fmt.Sprintf("%0*d", size, i)), c.lim); err != nil {
							t.Errorf("an image the full board has, again: %v", err)
						}
						break
					}
				}
				if err := s.PutImageWithin(ctx, m.ID, "sha256:new", []byte(fmt.Sprintf("%0*d", size, 0)), c.lim); !errors.Is(err, collab.ErrImageQuota) {
					t.Errorf("a new image on the full board: %v, want ErrImageQuota", err)
				}
			})
		}
	})
}
