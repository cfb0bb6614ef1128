package loadtest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// The smallest part of the Yjs update format (version 1, as Yjs's encodeStateAsUpdate
// and applyUpdate speak it) that the Hocuspocus load mode needs: writing the update of
// one Y.Map set, and reading any update a Yjs server broadcasts far enough to list its
// items. Integers are lib0 varuints (LEB128, the same bytes as encoding/binary's
// Uvarint), strings a varuint byte length then UTF-8.

// Item info bits and content kinds, as Yjs numbers them.
const (
	yHasOrigin      = 0x80
	yHasRightOrigin = 0x40
	yHasParentSub   = 0x20
	yKindMask       = 0x1f

	yGC      = 0
	ySkip    = 10
	yDeleted = 1
	yJSON    = 2
	yBinary  = 3
	yString  = 4
	yEmbed   = 5
	yFormat  = 6
	yType    = 7
	yAny     = 8
	yDoc     = 9

	yAnyString = 119 // lib0's tag of a string in an "any" value
)

// appendMapSet appends the update that a Y.Doc with the given client id makes for
// root.get(mapName).set(key, value) as its clock-th change (from 0), when each of its
// earlier changes set the same key: the new item's left origin is the previous one
// (client, clock-1), which the same update deletes. That is byte for byte what Yjs
// itself encodes (checked against Yjs in the Hocuspocus test); a server applies it
// and broadcasts it, as the value is new.
func appendMapSet(b []byte, client, clock uint64, mapName, key, value string) []byte {
	b = append(b, 1, 1) // one client, one struct
	b = binary.AppendUvarint(b, client)
	b = binary.AppendUvarint(b, clock)
	info := byte(yAny | yHasParentSub)
	if clock > 0 {
		info |= yHasOrigin
	}
	b = append(b, info)
	if clock > 0 {
		b = binary.AppendUvarint(b, client)
		b = binary.AppendUvarint(b, clock-1)
	} else {
		b = append(b, 1) // the parent is a root type, named by its key
		b = appendVarString(b, mapName)
		b = appendVarString(b, key)
	}
	b = append(b, 1, yAnyString) // content: one value, a string
	b = appendVarString(b, value)
	if clock == 0 {
		return append(b, 0) // nothing deleted
	}
	b = append(b, 1) // delete set: one client, one range, the previous value
	b = binary.AppendUvarint(b, client)
	b = append(b, 1)
	b = binary.AppendUvarint(b, clock-1)
	return append(b, 1)
}

func appendVarString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// yItem is one item of an update as readUpdate lists it: the change (client, clock)
// and, when the item holds exactly one string (as a Y.Map set of a string does), that
// string; value aliases the update.
type yItem struct {
	client, clock uint64
	value         []byte
	isString      bool
}

// readUpdate calls fn for every item of the update b (merged updates list several),
// in the order they are encoded: by client, then by clock. Deleted ranges and
// garbage-collected or skipped structs are read over. Returns an error, and stops
// calling fn, at the first byte that is not a well-formed version-1 update, or when
// bytes are left over.
func readUpdate(b []byte, fn func(yItem)) error {
	d := &yReader{b: b}
	clients := d.uvarint()
	for range clients {
		if d.err != nil {
			break
		}
		structs := d.uvarint()
		client := d.uvarint()
		clock := d.uvarint()
		for range structs {
			if d.err != nil {
				break
			}
			it, length := d.item(client, clock)
			if d.err != nil {
				break
			}
			if length > 0 && it != nil {
				fn(*it)
			}
			clock += length
		}
	}
	// The delete set: clients, each with ranges of (clock, length).
	ds := d.uvarint()
	for range ds {
		if d.err != nil {
			break
		}
		d.uvarint()
		for range d.uvarint() {
			if d.err != nil {
				break
			}
			d.uvarint()
			d.uvarint()
		}
	}
	if d.err == nil && len(d.b) > 0 {
		d.err = fmt.Errorf("%d bytes after the delete set", len(d.b))
	}
	if d.err != nil {
		return fmt.Errorf("yjs update: %w", d.err)
	}
	return nil
}

// yReader reads lib0-encoded values; the first error sticks and zero values follow.
type yReader struct {
	b   []byte
	err error
}

var errShort = errors.New("ends early")

func (d *yReader) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

func (d *yReader) byte() byte {
	if len(d.b) == 0 {
		d.fail(errShort)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *yReader) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errors.New("bad varuint"))
		return 0
	}
	d.b = d.b[n:]
	return v
}

// bytes reads a varuint length and that many bytes.
func (d *yReader) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail(errShort)
		return nil
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

func (d *yReader) skip(n int) {
	if n > len(d.b) {
		d.fail(errShort)
		return
	}
	d.b = d.b[n:]
}

// count reads a varuint count of things that each take at least one byte, refusing
// counts the rest of the input cannot hold (so hostile input cannot make us loop).
func (d *yReader) count() uint64 {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail(fmt.Errorf("count %d exceeds the %d bytes left", n, len(d.b)))
		return 0
	}
	return n
}

// item reads one struct at (client, clock) and returns it (nil for GC and skip) and
// how many clocks it spans.
func (d *yReader) item(client, clock uint64) (*yItem, uint64) {
	info := d.byte()
	switch info & yKindMask {
	case yGC, ySkip:
		return nil, d.uvarint()
	}
	if info&yHasOrigin != 0 {
		d.uvarint()
		d.uvarint()
	}
	if info&yHasRightOrigin != 0 {
		d.uvarint()
		d.uvarint()
	}
	if info&(yHasOrigin|yHasRightOrigin) == 0 {
		if d.uvarint() == 1 { // parent named by its root key, else by an item id
			d.bytes()
		} else {
			d.uvarint()
			d.uvarint()
		}
		if info&yHasParentSub != 0 {
			d.bytes()
		}
	}
	it := &yItem{client: client, clock: clock}
	var length uint64 = 1
	switch info & yKindMask {
	case yDeleted:
		length = d.uvarint()
	case yJSON:
		length = d.count()
		for range length {
			d.bytes()
		}
	case yBinary, yEmbed:
		d.bytes()
	case yString:
		s := d.bytes()
		length = utf16Len(s)
		it.value, it.isString = s, true
	case yFormat:
		d.bytes()
		d.bytes()
	case yType:
		if ref := d.uvarint(); ref == 3 || ref == 5 { // XML element and hook carry a name
			d.bytes()
		}
	case yAny:
		length = d.count()
		if length == 1 && len(d.b) > 0 && d.b[0] == yAnyString {
			d.byte()
			it.value, it.isString = d.bytes(), true
		} else {
			for range length {
				d.any(0)
			}
		}
	case yDoc:
		d.bytes()
		d.any(0)
	default:
		d.fail(fmt.Errorf("unknown content kind %d", info&yKindMask))
	}
	if d.err == nil && length == 0 {
		d.fail(errors.New("an item of length 0"))
	}
	return it, length
}

// any reads over one lib0 "any" value.
func (d *yReader) any(depth int) {
	if depth > 64 {
		d.fail(errors.New("values nested too deep"))
		return
	}
	switch tag := d.byte(); tag {
	case 127, 126, 121, 120: // undefined, null, false, true
	case 125: // signed varint
		for d.err == nil && d.byte()&0x80 != 0 {
		}
	case 124:
		d.skip(4)
	case 123, 122:
		d.skip(8)
	case 119, 116: // string, bytes
		d.bytes()
	case 118: // object
		for range d.count() {
			d.bytes()
			d.any(depth + 1)
		}
	case 117: // array
		for range d.count() {
			d.any(depth + 1)
		}
	default:
		d.fail(fmt.Errorf("unknown value tag %d", tag))
	}
}

// utf16Len is the length Yjs gives a string: JavaScript's, in UTF-16 code units.
func utf16Len(s []byte) uint64 {
	var n uint64
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		s = s[size:]
		n++
		if r > 0xffff {
			n++
		}
	}
	return n
}
