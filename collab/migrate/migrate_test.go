package migrate

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"tabula/collab"
	"tabula/collab/bolt"
	"tabula/collab/redisstore"
	"tabula/internal/redistest"
	"tabula/internal/testtool"
)

func TestMain(m *testing.M) { testtool.Main(m) }

var ctx = context.Background()

func openBolt(t *testing.T) *bolt.Store {
	s, err := bolt.Open(filepath.Join(t.TempDir(), "tabula.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fill makes boards with what a store can hold: a long history compacted at its start,
// snapshots whole and in parts, images with their stored times, authors, one board in
// the trash and one whose links were replaced twice.
func fill(t *testing.T, s collab.Store) []collab.BoardMeta {
	t.Helper()
	commit := func(ws ...collab.Write) {
		t.Helper()
		if err := s.Commit(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	var boards []collab.BoardMeta
	for i := range 4 {
		m := collab.BoardMeta{ID: collab.NewBoardID(), ViewID: collab.NewBoardID(), Title: fmt.Sprintf("board %d", i), Created: time.Now().UTC().Truncate(time.Second), Canvas: "mint"}
		if err := s.CreateBoard(ctx, m); err != nil {
			t.Fatal(err)
		}
		n := int64(10 + 15*i)
		for seq := int64(1); seq <= n; seq++ {
			w := collab.Write{Board: m.ID, Entries: []collab.LogEntry{{Seq: seq, CID: fmt.Sprintf("cid-%d-%d", i, seq), Data: []byte(fmt.Sprintf(`{"t":"ops","seq":%d,"ops":[{"o":"put","el":{"src":"sha256:img%d"}}]}`, seq, seq%3))}},
				Authors: map[string]collab.Author{fmt.Sprintf("s%d", seq%4): {Name: fmt.Sprintf("Person %d", seq%4), Color: "#e03131"}}}
			if seq%10 == 0 {
				w.Snapshot = &collab.Snapshot{Seq: seq, Data: []byte(fmt.Sprintf("state of %d at %d", i, seq))}
			}
			commit(w)
		}
		for j := range 3 {
			if err := s.PutImage(ctx, m.ID, fmt.Sprintf("sha256:img%d", j), []byte(strings.Repeat("p", 100*(j+1)))); err != nil {
				t.Fatal(err)
			}
		}
		boards = append(boards, m)
	}
	// History compacted: checkpoints 10 and 20 dropped, one kept at 15, the log up to 15.
	big := boards[3]
	if err := s.Compact(ctx, big.ID, []collab.Snapshot{{Seq: 15, Data: []byte("kept at 15")}}, []int64{10, 20}, 15); err != nil {
		t.Fatal(err)
	}
	// A large snapshot in parts, the latest.
	for p := range 3 {
		commit(collab.Write{Board: big.ID, SnapshotPart: &collab.SnapshotPart{Seq: 55, Index: p, Count: 3, Data: []byte(strings.Repeat(string(rune('a'+p)), 1000))}})
	}
	// In the trash.
	trashed := boards[1]
	trashed.Deleted = time.Now().UTC().Truncate(time.Second)
	commit(collab.Write{Board: trashed.ID, Meta: &trashed})
	boards[1] = trashed
	// Links replaced twice.
	relinked := boards[2]
	for range 2 {
		relinked.Edit, relinked.ViewID = collab.NewBoardID(), collab.NewBoardID()
		commit(collab.Write{Board: relinked.ID, Meta: &relinked, Relink: true})
	}
	boards[2] = relinked
	return boards
}

// same checks that b answers for every board as a does, through the Store interface.
func same(t *testing.T, a, b collab.Store, boards []collab.BoardMeta) {
	t.Helper()
	eq := func(what string, x, y any) {
		t.Helper()
		if !reflect.DeepEqual(x, y) {
			t.Fatalf("%s differs:\n%+v\n%+v", what, x, y)
		}
	}
	listA, _ := a.Boards(ctx)
	listB, _ := b.Boards(ctx)
	byID := func(x, y collab.BoardMeta) int { return strings.Compare(x.ID, y.ID) }
	slices.SortFunc(listA, byID)
	slices.SortFunc(listB, byID)
	eq("board list", listA, listB)
	for _, m := range boards {
		for _, get := range []func(s collab.Store) (collab.BoardMeta, error){
			func(s collab.Store) (collab.BoardMeta, error) { return s.BoardByEdit(ctx, m.EditID()) },
			func(s collab.Store) (collab.BoardMeta, error) { return s.BoardByView(ctx, m.ViewID) },
		} {
			x, errX := get(a)
			y, errY := get(b)
			if errX != nil || errY != nil {
				t.Fatalf("lookup of %s: %v / %v", m.Title, errX, errY)
			}
			eq("metadata", x, y)
		}
		if m.Edit != "" {
			if _, err := b.BoardByEdit(ctx, m.ID); err == nil {
				t.Fatal("a replaced edit id resolves after the copy")
			}
		}
		snapA, tailA, errA := a.Load(ctx, m.ID)
		snapB, tailB, errB := b.Load(ctx, m.ID)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		for i := range tailA { // Load does not promise CIDs; bbolt gives none
			tailA[i].CID, tailB[i].CID = "", ""
		}
		eq("snapshot", snapA, snapB)
		eq("log tail", tailA, tailB)
		cpA, _ := a.Checkpoints(ctx, m.ID)
		cpB, _ := b.Checkpoints(ctx, m.ID)
		eq("checkpoints", cpA, cpB)
		for _, at := range []int64{5, 17, 33} {
			sa, ta, _ := a.LoadAt(ctx, m.ID, at)
			sb, tb, _ := b.LoadAt(ctx, m.ID, at)
			for i := range ta {
				ta[i].CID, tb[i].CID = "", ""
			}
			eq(fmt.Sprintf("history at %d", at), []any{sa, ta}, []any{sb, tb})
		}
		imA, _ := a.Images(ctx, m.ID)
		imB, _ := b.Images(ctx, m.ID)
		bySrc := func(x, y collab.StoredImage) int { return strings.Compare(x.Src, y.Src) }
		slices.SortFunc(imA, bySrc)
		slices.SortFunc(imB, bySrc)
		eq("images", fmt.Sprint(imA), fmt.Sprint(imB))
		auA, _ := a.Authors(ctx, m.ID)
		auB, _ := b.Authors(ctx, m.ID)
		eq("authors", auA, auB)
		seqA, okA, _ := a.BatchSeq(ctx, m.ID, "cid-0-3")
		seqB, okB, _ := b.BatchSeq(ctx, m.ID, "cid-0-3")
		eq("a batch's seq", []any{seqA, okA}, []any{seqB, okB})
	}
}

func TestRoundTripBoltRedisBolt(t *testing.T) { roundTrip(t, redistest.Start(t).URL()) }

// On a Redis Cluster, a restore claims lookup keys in other slots than the board's.
func TestRoundTripBoltRedisClusterBolt(t *testing.T) { roundTrip(t, redistest.StartCluster(t).URL()) }

func roundTrip(t *testing.T, url string) {
	orig := openBolt(t)
	boards := fill(t, orig)
	rs, err := redisstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()

	sum, err := Copy(ctx, orig, rs, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Boards != 4 || sum.Images != 12 || sum.Batches != 10+25+40+55 {
		t.Fatalf("summary %+v", sum)
	}
	same(t, orig, rs, boards)
	back := openBolt(t)
	if _, err := Copy(ctx, rs, back, false, nil); err != nil {
		t.Fatal(err)
	}
	same(t, orig, back, boards)
	for _, m := range boards {
		da, err := orig.DumpBoard(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		db, err := back.DumpBoard(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(da, db) {
			t.Fatalf("board %s after bbolt → Redis → bbolt:\n%+v\nwant\n%+v", m.Title, db, da)
		}
	}
	// The copies go on where the original stopped: the next batch follows the last seq.
	last := boards[3]
	next := collab.Write{Board: last.ID, Entries: []collab.LogEntry{{Seq: 56, CID: "next", Data: []byte("{}")}}}
	if err := rs.Commit(ctx, []collab.Write{next}); err != nil {
		t.Fatalf("the next batch on Redis: %v", err)
	}
	next.Entries[0].Seq = 55
	if err := rs.Commit(ctx, []collab.Write{next}); !errors.Is(err, collab.ErrFenced) {
		t.Fatalf("a batch at an old seq on Redis: %v", err)
	}
}

func TestCopyRefusesANonEmptyTargetUnlessForced(t *testing.T) {
	from, to := openBolt(t), openBolt(t)
	boards := fill(t, from)
	if err := to.CreateBoard(ctx, boards[0]); err != nil { // the same board, empty
		t.Fatal(err)
	}
	if _, err := Copy(ctx, from, to, false, nil); !errors.Is(err, ErrTargetNotEmpty) {
		t.Fatalf("copy into a non-empty store: %v", err)
	}
	var progress strings.Builder
	sum, err := Copy(ctx, from, to, true, &progress)
	if err != nil || sum.Replaced != 1 || sum.Boards != 4 {
		t.Fatalf("forced copy: %+v %v", sum, err)
	}
	if strings.Count(progress.String(), " ok\n") != 4 {
		t.Fatalf("progress:\n%s", progress.String())
	}
	same(t, from, to, boards)
}

func TestDigestSeesEveryPart(t *testing.T) {
	base := func() *collab.BoardDump {
		return &collab.BoardDump{Meta: collab.BoardMeta{ID: "b", ViewID: "v"}, LastSeq: 2, Latest: 1,
			Checkpoints: []collab.Snapshot{{Seq: 1, Data: []byte("s")}}, Log: []collab.LogEntry{{Seq: 2, CID: "c", Data: []byte("e")}},
			Batches: map[string]int64{"c": 2}, Images: []collab.DumpedImage{{Src: "i", Data: []byte("png"), Stored: time.UnixMilli(5)}},
			Authors: map[string]collab.Author{"s": {Name: "A"}}}
	}
	want := Sum(base())
	for name, change := range map[string]func(d *collab.BoardDump){
		"title": func(d *collab.BoardDump) { d.Meta.Title = "x" }, "last seq": func(d *collab.BoardDump) { d.LastSeq = 3 },
		"latest": func(d *collab.BoardDump) { d.Latest = 0 }, "checkpoint": func(d *collab.BoardDump) { d.Checkpoints[0].Data = []byte("t") },
		"entry": func(d *collab.BoardDump) { d.Log[0].Data = []byte("f") }, "cid": func(d *collab.BoardDump) { d.Log[0].CID = "d" },
		"batch": func(d *collab.BoardDump) { d.Batches["z"] = 1 }, "image": func(d *collab.BoardDump) { d.Images[0].Data = []byte("gif") },
		"stored": func(d *collab.BoardDump) { d.Images[0].Stored = time.UnixMilli(6) }, "author": func(d *collab.BoardDump) { d.Authors["s"] = collab.Author{Name: "B"} },
	} {
		d := base()
		change(d)
		if Sum(d) == want {
			t.Errorf("the digest misses a change of the %s", name)
		}
	}
}
