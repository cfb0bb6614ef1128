package app

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"tabula/collab"
)

// decodeLinkRecords parses what encodeLinkEntries wrote back into each person's list
// of messages (kicks as "close <code> <why>"), in the order the follower would deliver.
func decodeLinkRecords(t *testing.T, b []byte) (map[uint64][]string, int) {
	t.Helper()
	got := map[uint64][]string{}
	records := 0
	r := linkReader{b: b}
	for r.more() {
		records++
		switch r.kind() {
		case linkDeliver:
			n := r.uint()
			ids := make([]uint64, n)
			for i := range ids {
				ids[i] = r.uint()
			}
			p := string(r.bytes())
			for _, id := range ids {
				got[id] = append(got[id], p)
			}
		case linkKick:
			id, code, why := r.uint(), r.uint(), r.bytes()
			got[id] = append(got[id], fmt.Sprintf("close %d %s", code, why))
		default:
			t.Fatalf("record kind %q", b[0])
		}
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	return got, records
}

// TestLinkRecordsKeepEachPersonsOrder: a room's deliveries — broadcasts to everyone,
// an ack to one person between them, a welcome, a close — go over a link grouped by
// message, and every person still gets exactly their own messages in their order.
func TestLinkRecordsKeepEachPersonsOrder(t *testing.T) {
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 1))
		people := 1 + r.IntN(8)
		var q []linkEntry
		want := map[uint64][]string{}
		add := func(id uint64, msg []byte) {
			q = append(q, linkEntry{id: id, msg: msg})
			want[id] = append(want[id], string(msg))
		}
		closed := map[uint64]bool{}
		for k := range 1 + r.IntN(30) {
			msg := []byte(fmt.Sprintf("m%d", k))
			switch r.IntN(4) {
			case 0: // to one person: an ack or a welcome
				if id := uint64(1 + r.IntN(people)); !closed[id] {
					add(id, msg)
				}
			case 1: // a close
				if id := uint64(1 + r.IntN(people)); !closed[id] {
					closed[id] = true
					q = append(q, linkEntry{id: id, code: collab.CloseTryAgain, why: "too slow"})
					want[id] = append(want[id], fmt.Sprintf("close %d too slow", collab.CloseTryAgain))
				}
			default: // a broadcast, the sender first, in a random order of members
				for _, i := range r.Perm(people) {
					if id := uint64(1 + i); !closed[id] {
						add(id, msg)
					}
				}
			}
		}
		b, records := encodeLinkEntries(nil, q)
		got, n := decodeLinkRecords(t, b)
		if n != records {
			t.Fatalf("seed %d: %d records said, %d written", seed, records, n)
		}
		for id, w := range want {
			if !slices.Equal(got[id], w) {
				t.Fatalf("seed %d: person %d got %q, want %q", seed, id, got[id], w)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("seed %d: %d people got messages, want %d", seed, len(got), len(want))
		}
	}
	// A run of broadcasts to 300 people is one record each.
	var q []linkEntry
	for k := range 3 {
		msg := []byte(fmt.Sprintf("b%d", k))
		for id := range uint64(300) {
			q = append(q, linkEntry{id: id + 1, msg: msg})
		}
	}
	if _, records := encodeLinkEntries(nil, q); records != 3 {
		t.Fatalf("3 broadcasts to 300 people in %d records, want 3", records)
	}
}

// TestLinkReaderRefusesMalformed: lengths past the end and varints cut short are
// errors, never a panic or a read out of bounds.
func TestLinkReaderRefusesMalformed(t *testing.T) {
	for _, b := range [][]byte{
		{linkMessage, 0x80},        // varint cut short
		{linkMessage, 1, 200, 'x'}, // payload longer than the message
		{linkOpen, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, // length 2^64-1
	} {
		r := linkReader{b: b}
		r.kind()
		r.uint()
		r.bytes()
		if r.err == nil {
			t.Errorf("% x parsed", b)
		}
	}
}
