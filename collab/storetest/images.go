package storetest

import (
	"context"
	"runtime"
	"slices"
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
}
