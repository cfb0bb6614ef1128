package loadtest

import (
	"encoding/hex"
	"testing"
)

// Updates Yjs 13.6.33 itself wrote, for a Y.Doc with clientID 3000000123 doing
// doc.getMap("m").set("w7", "value-N-é😀") for N = 0, 1, 2, and Y.mergeUpdates of the
// three (which drops the parentSub bit of items that have an origin).
var (
	yjsSets = []string{
		"0101fbbcc1960b002801016d02773701770e76616c75652d302dc3a9f09f988000",
		"0101fbbcc1960b01a8fbbcc1960b0001770e76616c75652d312dc3a9f09f988001fbbcc1960b010001",
		"0101fbbcc1960b02a8fbbcc1960b0101770e76616c75652d322dc3a9f09f988001fbbcc1960b010101",
	}
	yjsMerged = "0103fbbcc1960b002801016d02773701770e76616c75652d302dc3a9f09f988088fbbcc1960b0001770e76616c75652d312dc3a9f09f988088fbbcc1960b0101770e76616c75652d322dc3a9f09f988001fbbcc1960b010002"
)

func TestAppendMapSetMatchesYjs(t *testing.T) {
	for i, want := range yjsSets {
		got := hex.EncodeToString(appendMapSet(nil, 3000000123, uint64(i), "m", "w7", "value-"+string(rune('0'+i))+"-é😀"))
		if got != want {
			t.Errorf("set %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func TestReadUpdate(t *testing.T) {
	cases := []struct {
		name   string
		hex    string
		want   []string // the items' values, in order
		clocks []uint64 // and their clocks
	}{
		{"First", yjsSets[0], []string{"value-0-é😀"}, []uint64{0}},
		{"Later", yjsSets[2], []string{"value-2-é😀"}, []uint64{2}},
		{"Merged", yjsMerged, []string{"value-0-é😀", "value-1-é😀", "value-2-é😀"}, []uint64{0, 1, 2}},
		// One transaction of client 5, written by Yjs: doc.getText("text").insert(0,
		// "héllo😀"), a string item spanning 7 clocks (UTF-16), then getMap("m").set("w", "x").
		{"StringThenAny", "01020500040104746578740a68c3a96c6c6ff09f98802801016d01770177017800", []string{"héllo😀", "x"}, []uint64{0, 7}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := hex.DecodeString(tc.hex)
			if err != nil {
				t.Fatal(err)
			}
			var got []yItem
			if err := readUpdate(b, func(it yItem) { got = append(got, it) }); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d items, want %d", len(got), len(tc.want))
			}
			for i, it := range got {
				if !it.isString || string(it.value) != tc.want[i] || it.clock != tc.clocks[i] {
					t.Errorf("item %d: %q at clock %d, want %q at %d", i, it.value, it.clock, tc.want[i], tc.clocks[i])
				}
			}
		})
	}
}

func TestReadUpdateRefusesBrokenInput(t *testing.T) {
	whole, _ := hex.DecodeString(yjsMerged)
	for n := range len(whole) {
		if err := readUpdate(whole[:n], func(yItem) {}); err == nil {
			t.Errorf("the first %d of %d bytes read as an update", n, len(whole))
		}
	}
	if err := readUpdate(append(whole[:len(whole):len(whole)], 0), func(yItem) {}); err == nil {
		t.Error("a trailing byte went unnoticed")
	}
}

// FuzzReadUpdate feeds the reader what a hostile or broken server might send: it must
// return, with an error or not, and never panic.
func FuzzReadUpdate(f *testing.F) {
	for _, h := range append(yjsSets, yjsMerged) {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = readUpdate(b, func(yItem) {})
	})
}
