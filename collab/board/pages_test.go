package board

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"tabula/collab/wire"
)

// pagesBase is a board with the first page named, a second page p2 holding a frame and
// its member, and a rectangle on the first page.
const pagesBase = `{"t":"ops","cid":"0","ops":[` +
	`{"o":"put","el":{"id":"page1","type":"page","text":"Intro","z":"a0"}},` +
	`{"o":"put","el":{"id":"p2","type":"page","text":"Ideas","z":"a1"}},` +
	`{"o":"put","el":{"id":"f","type":"frame","page":"p2","w":100,"h":80,"z":"b0"}},` +
	`{"o":"put","el":{"id":"m","type":"rect","page":"p2","frame":"f","x":10,"y":10,"w":5,"h":5,"z":"b1"}},` +
	`{"o":"put","el":{"id":"r","type":"rect","w":5,"h":5,"z":"b2"}},` +
	`{"o":"put","el":{"id":"gone","type":"page","z":"a2"}},{"o":"del","id":"gone"}]}`

func TestPagesAreValidated(t *testing.T) {
	long := strings.Repeat("é", wire.MaxPageName+1)
	for _, tc := range []struct {
		name, ops, code string
	}{
		{"RefusesElementOnMissingPage", `{"o":"put","el":{"id":"x","type":"rect","page":"nope","z":"c"}}`, wire.EBadPage},
		{"RefusesPatchOntoMissingPage", `{"o":"patch","id":"r","set":{"page":"nope"}}`, wire.EBadPage},
		{"RefusesElementOnDeletedPage", `{"o":"put","el":{"id":"x","type":"rect","page":"gone","z":"c"}}`, wire.EBadPage},
		{"RefusesElementOnNonPage", `{"o":"put","el":{"id":"x","type":"rect","page":"r","z":"c"}}`, wire.EBadPage},
		{"RefusesElementInFrameOnOtherPage", `{"o":"put","el":{"id":"x","type":"rect","frame":"f","z":"c"}}`, wire.EBadPage},
		{"RefusesMemberLeavingForOtherPage", `{"o":"patch","id":"m","set":{"page":"page1"}}`, wire.EBadPage},
		{"RefusesFrameMovedWithoutMembers", `{"o":"patch","id":"f","set":{"page":"page1"}}`, wire.EBadPage},
		{"RefusesPageOnPage", `{"o":"put","el":{"id":"p3","type":"page","page":"p2","z":"a3"}}`, wire.EBadPage},
		{"RefusesPatchPuttingPageOnPage", `{"o":"patch","id":"p2","set":{"page":"page1"}}`, wire.EBadPage},
		{"RefusesPageInFrame", `{"o":"put","el":{"id":"p3","type":"page","frame":"f","z":"a3"}}`, wire.EBadPage},
		{"RefusesFirstPageIDForOtherTypes", `{"o":"put","el":{"id":"page1","type":"rect","z":"c"}}`, wire.EBadPage},
		{"RefusesDeletingPageWithElements", `{"o":"del","id":"p2"},{"o":"del","id":"f"}`, wire.EBadPage},
		{"RefusesDeletingFirstPageWithElements", `{"o":"del","id":"page1"}`, wire.EBadPage},
		{"RefusesLongNameInPut", `{"o":"put","el":{"id":"p3","type":"page","text":"` + long + `","z":"a3"}}`, wire.ETextTooLong},
		{"RefusesLongNameInPatch", `{"o":"patch","id":"p2","set":{"text":"` + long + `"}}`, wire.ETextTooLong},
		{"RefusesBadPageID", `{"o":"put","el":{"id":"x","type":"rect","page":"a b","z":"c"}}`, wire.EBadValue},
		{"AcceptsElementBeforeItsPageInBatch", `{"o":"put","el":{"id":"x","type":"rect","page":"p3","z":"c"}},{"o":"put","el":{"id":"p3","type":"page","z":"a3"}}`, ""},
		{"AcceptsFrameMovedWithMembers", `{"o":"patch","id":"f","set":{"page":""}},{"o":"patch","id":"m","set":{"page":""}}`, ""},
		{"AcceptsDeletingPageWithEverythingOnIt", `{"o":"del","id":"p2"},{"o":"del","id":"f"},{"o":"del","id":"m"}`, ""},
		{"AcceptsDeletingFirstPageWithEverythingOnIt", `{"o":"del","id":"page1"},{"o":"del","id":"r"}`, ""},
		{"AcceptsRenameAndReorder", `{"o":"patch","id":"p2","set":{"text":"Later","z":"Zz"}}`, ""},
		{"AcceptsMovingElementToOtherPage", `{"o":"patch","id":"r","set":{"page":"p2","x":20}}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewState()
			if err := applyFrame(s, pagesBase, &wire.DefaultLimits); err != nil {
				t.Fatal(err)
			}
			before := string(s.appendSorted())
			err := applyFrame(s, `{"t":"ops","cid":"1","ops":[`+tc.ops+`]}`, &wire.DefaultLimits)
			if got := code(err); got != tc.code {
				t.Fatalf("got %v, want code %q", err, tc.code)
			}
			if tc.code != "" && string(s.appendSorted()) != before {
				t.Fatal("a refused batch changed the board")
			}
			if tc.code != "" && !strings.Contains(wire.ErrorMessage(err), " ") {
				t.Fatalf("message %q does not explain", wire.ErrorMessage(err))
			}
		})
	}
}

func TestElementsOnFirstPageNeedItAlive(t *testing.T) {
	s := NewState()
	steps := []struct{ ops, code string }{
		// A board without page elements has its first page: elements without a page go there.
		{`{"o":"put","el":{"id":"a","type":"rect","z":"b"}}`, ""},
		{`{"o":"put","el":{"id":"b","type":"rect","page":"page1","z":"c"}}`, ""},
		{`{"o":"put","el":{"id":"p2","type":"page","z":"a1"}},{"o":"put","el":{"id":"page1","type":"page","z":"a0"}},{"o":"del","id":"page1"},{"o":"del","id":"a"},{"o":"del","id":"b"}`, ""},
		{`{"o":"put","el":{"id":"c","type":"rect","z":"d"}}`, wire.EBadPage},
		{`{"o":"patch","id":"a","set":{"deleted":false}}`, wire.EBadPage},
		{`{"o":"put","el":{"id":"c","type":"rect","page":"p2","z":"d"}}`, ""},
		// Undo of the delete puts them all back.
		{`{"o":"put","el":{"id":"page1","type":"page","z":"a0"}},{"o":"put","el":{"id":"a","type":"rect","z":"b"}}`, ""},
	}
	for i, st := range steps {
		err := applyFrame(s, `{"t":"ops","cid":"`+itoa(i)+`","ops":[`+st.ops+`]}`, &wire.DefaultLimits)
		if code(err) != st.code {
			t.Fatalf("step %d: got %v, want %q", i, err, st.code)
		}
	}
}

func TestThousandsOfPagesAreRefused(t *testing.T) {
	batch := func(cid string, from, n int) string {
		var b strings.Builder
		b.WriteString(`{"t":"ops","cid":"` + cid + `","ops":[`)
		for i := from; i < from+n; i++ {
			if i > from {
				b.WriteByte(',')
			}
			b.WriteString(`{"o":"put","el":{"id":"p` + itoa(i) + `","type":"page","z":"a` + itoa(i) + `"}}`)
		}
		return b.String() + `]}`
	}
	s := NewState()
	if err := applyFrame(s, batch("1", 0, wire.MaxPages), &wire.DefaultLimits); err != nil {
		t.Fatal(err)
	}
	if err := applyFrame(s, batch("2", wire.MaxPages, 1), &wire.DefaultLimits); code(err) != wire.ETooManyPages {
		t.Fatalf("page %d: got %v, want %s", wire.MaxPages+1, err, wire.ETooManyPages)
	}
	lim := wire.DefaultLimits
	if err := applyFrame(NewState(), batch("3", 0, 5000), &lim); code(err) != wire.ETooManyPages {
		t.Fatalf("5,000 pages: got %v, want %s", err, wire.ETooManyPages)
	}
	// Deleting one makes room for one; the count survives a snapshot.
	if err := applyFrame(s, `{"t":"ops","cid":"4","ops":[{"o":"del","id":"p0"}]}`, &wire.DefaultLimits); err != nil {
		t.Fatal(err)
	}
	s2, err := LoadState(s.Snapshot(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s2.pages != wire.MaxPages-1 {
		t.Fatalf("pages after a snapshot = %d", s2.pages)
	}
	if err := applyFrame(s2, batch("5", wire.MaxPages, 1), &wire.DefaultLimits); err != nil {
		t.Fatal(err)
	}
	if err := applyFrame(s2, batch("6", wire.MaxPages+1, 1), &wire.DefaultLimits); code(err) != wire.ETooManyPages {
		t.Fatalf("got %v, want %s", err, wire.ETooManyPages)
	}
}

func TestPageSurvivesSnapshot(t *testing.T) {
	s := NewState()
	if err := applyFrame(s, pagesBase, &wire.DefaultLimits); err != nil {
		t.Fatal(err)
	}
	got, err := LoadState(s.Snapshot(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.appendSorted()) != string(s.appendSorted()) {
		t.Fatalf("after a snapshot:\n got %s\nwant %s", got.appendSorted(), s.appendSorted())
	}
	if got.els["m"].Page != "p2" || got.els["p2"].Text != "Ideas" {
		t.Fatalf("m=%+v p2=%+v", got.els["m"], got.els["p2"])
	}
}

// TestPageFixture applies the batches assets/js/pages.js makes for the fixture the node
// tests share (testdata/pages/board.json): the server accepts each, and agrees on the
// page order and on what each page holds. A delete that leaves one element behind is
// refused.
func TestPageFixture(t *testing.T) {
	raw, err := os.ReadFile("testdata/pages/board.json")
	if err != nil {
		t.Fatal(err)
	}
	type batch struct {
		Ops []json.RawMessage `json:"ops"`
	}
	var fx struct {
		Elements  []json.RawMessage   `json:"elements"`
		PageOrder []string            `json:"pageOrder"`
		OnPage    map[string][]string `json:"onPage"`
		Duplicate batch               `json:"duplicate"`
		Delete    batch               `json:"delete"`
		Move      batch               `json:"move"`
		Add       batch               `json:"add"`
	}
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	ops := func(cid string, ops []json.RawMessage) string {
		b, _ := json.Marshal(map[string]any{"t": "ops", "cid": cid, "ops": ops})
		return string(b)
	}
	load := func(t *testing.T) *State {
		var put []json.RawMessage
		var del []json.RawMessage
		for _, e := range fx.Elements {
			put = append(put, json.RawMessage(`{"o":"put","el":`+strings.Replace(string(e), `,"deleted":true`, ``, 1)+`}`))
			if strings.Contains(string(e), `"deleted":true`) {
				var id struct{ ID string }
				_ = json.Unmarshal(e, &id)
				del = append(del, json.RawMessage(`{"o":"del","id":"`+id.ID+`"}`))
			}
		}
		s := NewState()
		if err := applyFrame(s, ops("load", append(put, del...)), &wire.DefaultLimits); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := load(t)
	if got := wire.PageOrder(s.Elements()); !slices.Equal(got, fx.PageOrder) {
		t.Fatalf("page order %v, want %v", got, fx.PageOrder)
	}
	var live []*wire.Element
	for _, e := range s.Elements() {
		if !e.Deleted {
			live = append(live, e)
		}
	}
	for id, want := range fx.OnPage {
		var got []string
		for _, e := range wire.OnPage(live, id) {
			got = append(got, e.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("page %s holds %v, want %v", id, got, want)
		}
	}
	for _, tc := range []struct {
		name string
		ops  []json.RawMessage
	}{{"Duplicate", fx.Duplicate.Ops}, {"Delete", fx.Delete.Ops}, {"Move", fx.Move.Ops}, {"Add", fx.Add.Ops}} {
		t.Run(tc.name, func(t *testing.T) {
			if err := applyFrame(load(t), ops("1", tc.ops), &wire.DefaultLimits); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("DeleteLeavingOneBehind", func(t *testing.T) {
		if err := applyFrame(load(t), ops("1", fx.Delete.Ops[1:]), &wire.DefaultLimits); code(err) != wire.EBadPage {
			t.Fatalf("got %v, want %s", err, wire.EBadPage)
		}
	})
}
