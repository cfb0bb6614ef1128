package board

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"tabula/collab/wire"
)

// Snapshots are stored in a compact binary form, not JSON: loading a board is on the
// path of the first person to open it, and decoding JSON with reflection cost ~6 µs per
// element (a 10,000-element board took 66 ms); this takes well under a microsecond.
//
// Layout (all integers unsigned varints unless noted):
//
//	'T' version              magic and format version
//	seq, count
//	count × element:
//	  mask                   bit i set = field i below is present (zero fields are skipped)
//	  fields in order        strings: length, bytes; floats: 8 bytes little-endian;
//	                         points: count, then count×3 float32 little-endian;
//	                         bools: only in the mask; v: varint; at: varint
//
// A new element field is added at the end of binFields and the version goes up by one;
// fieldsInVersion says how many fields each version has, so a snapshot written before a
// field existed still loads (its mask never has the new bit), and an older server
// refuses a newer snapshot with a message instead of misreading it.
const snapshotVersion = 4

// fieldsInVersion is the number of binFields each snapshot version uses (index: version).
var fieldsInVersion = [...]int{1: 30, 2: 31, 3: 32, snapshotVersion: len(binFields)}

// binFields is the field order of the binary form; the encoder and the decoder both
// walk it, so they cannot disagree. Append only: a field's position is its mask bit.
var binFields = [...]struct {
	kind  byte // 's' string, 'i' short string worth interning, 'f' float64, 'p' points, 'b' bool, 'n' int64
	str   func(*wire.Element) *string
	num   func(*wire.Element) *float64
	flag  func(*wire.Element) *bool
	whole func(*wire.Element) *int64
}{
	{kind: 's', str: func(e *wire.Element) *string { return &e.ID }},
	{kind: 'i', str: func(e *wire.Element) *string { return &e.Type }},
	{kind: 'f', num: func(e *wire.Element) *float64 { return &e.X }},
	{kind: 'f', num: func(e *wire.Element) *float64 { return &e.Y }},
	{kind: 'f', num: func(e *wire.Element) *float64 { return &e.W }},
	{kind: 'f', num: func(e *wire.Element) *float64 { return &e.H }},
	{kind: 'f', num: func(e *wire.Element) *float64 { return &e.Angle }},
	{kind: 'p'},
	{kind: 'i', str: func(e *wire.Element) *string { return &e.Stroke }},
	{kind: 'i', str: func(e *wire.Element) *string { return &e.Fill }},
	{kind: 'i', str: func(e *wire.Element) *string { return &e.FillStyle }},
	{kind: 'f', num: func(e *wire.Element) *float64 { return &e.Width }},
	{kind: 'f', num: func(e *wire.Element) *float64 { return &e.Opacity }},
	{kind: 'i', str: func(e *wire.Element) *string { return &e.Dash }},
	{kind: 'i', str: func(e *wire.Element) *string { return &e.Font }},
	{kind: 'f', num: func(e *wire.Element) *float64 { return &e.Size }},
	{kind: 'i', str: func(e *wire.Element) *string { return &e.Align }},
	{kind: 's', str: func(e *wire.Element) *string { return &e.Text }},
	{kind: 'i', str: func(e *wire.Element) *string { return &e.StartArrow }},
	{kind: 'i', str: func(e *wire.Element) *string { return &e.EndArrow }},
	{kind: 's', str: func(e *wire.Element) *string { return &e.StartBind }},
	{kind: 's', str: func(e *wire.Element) *string { return &e.EndBind }},
	{kind: 's', str: func(e *wire.Element) *string { return &e.Src }},
	{kind: 'i', str: func(e *wire.Element) *string { return &e.Group }},
	{kind: 'b', flag: func(e *wire.Element) *bool { return &e.Locked }},
	{kind: 's', str: func(e *wire.Element) *string { return &e.Z }},
	{kind: 'n', whole: func(e *wire.Element) *int64 { return &e.V }},
	{kind: 'b', flag: func(e *wire.Element) *bool { return &e.Deleted }},
	{kind: 'i', str: func(e *wire.Element) *string { return &e.By }},
	{kind: 'n', whole: func(e *wire.Element) *int64 { return &e.At }},
	// Version 2.
	{kind: 'i', str: func(e *wire.Element) *string { return &e.Curve }},
	// Version 3.
	{kind: 's', str: func(e *wire.Element) *string { return &e.Frame }},
	// Version 4.
	{kind: 'i', str: func(e *wire.Element) *string { return &e.Page }},
}

// encodeSnapshot encodes the state as of s.seq.
func (s *State) encodeSnapshot() []byte {
	// Sized once: a board of strokes is mostly points, and growing a buffer of
	// megabytes by appending copied it several times over (a sixth of the server's
	// CPU in the durable-write overload run went to encoding snapshots).
	size := 64
	for _, e := range s.els {
		size += 96 + len(e.ID) + len(e.Text) + 4*len(e.Points)
	}
	b := make([]byte, 0, size)
	b = append(b, 'T', snapshotVersion)
	b = binary.AppendUvarint(b, uint64(s.seq))
	b = binary.AppendUvarint(b, uint64(len(s.els)))
	for _, e := range s.els {
		b = appendBinary(b, e)
	}
	return b
}

func appendBinary(b []byte, e *wire.Element) []byte {
	var mask uint64
	for i, f := range binFields {
		var present bool
		switch f.kind {
		case 's', 'i':
			present = *f.str(e) != ""
		case 'f':
			present = *f.num(e) != 0
		case 'p':
			present = e.Points != nil
		case 'b':
			present = *f.flag(e)
		case 'n':
			present = *f.whole(e) != 0
		}
		if present {
			mask |= 1 << i
		}
	}
	b = binary.AppendUvarint(b, mask)
	for i, f := range binFields {
		if mask&(1<<i) == 0 {
			continue
		}
		switch f.kind {
		case 's', 'i':
			v := *f.str(e)
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		case 'f':
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(*f.num(e)))
		case 'p':
			b = binary.AppendUvarint(b, uint64(e.Points.Len()))
			for _, v := range e.Points {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
			}
		case 'n':
			b = binary.AppendVarint(b, *f.whole(e))
		}
	}
	return b
}

var errSnapshot = errors.New("snapshot is corrupt")

// decodeSnapshot rebuilds a state from encodeSnapshot's bytes.
func decodeSnapshot(data []byte) (*State, error) {
	if len(data) < 2 || data[0] != 'T' {
		return nil, errSnapshot
	}
	version := int(data[1])
	if version == 0 || version >= len(fieldsInVersion) {
		return nil, fmt.Errorf("snapshot format %d is newer than this server understands", data[1])
	}
	d := decoder{b: data[2:], fields: fieldsInVersion[version]}
	s := NewState()
	s.seq = int64(d.uvarint())
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) { // every element takes at least a byte
		return nil, errSnapshot
	}
	s.els = make(map[string]*wire.Element, n)
	intern := make(map[string]string) // repeated short strings (types, colours, authors)
	for range n {
		e := d.element(intern)
		if d.err != nil {
			return nil, d.err
		}
		s.els[e.ID] = e
		if !e.Deleted {
			s.live++
			if e.Type == "page" {
				s.pages++
			}
		}
	}
	if len(d.b) != 0 {
		return nil, errSnapshot
	}
	return s, nil
}

type decoder struct {
	b      []byte
	err    error
	fields int // how many of binFields the snapshot's version has
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	d.advance(n)
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	d.advance(n)
	return v
}

// advance skips a varint of n bytes; n ≤ 0 (truncated or overlong) marks the snapshot
// corrupt and stops all further reads.
func (d *decoder) advance(n int) {
	if n <= 0 {
		d.err = errSnapshot
		d.b = nil
		return
	}
	d.b = d.b[n:]
}

func (d *decoder) take(n uint64) []byte {
	if n > uint64(len(d.b)) {
		d.err = errSnapshot
		d.b = nil
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) float() float64 {
	v := d.take(8)
	if v == nil {
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(v))
}

func (d *decoder) str(intern map[string]string, short bool) string {
	v := d.take(d.uvarint())
	if !short || len(v) > 16 {
		return string(v)
	}
	if s, ok := intern[string(v)]; ok {
		return s
	}
	s := string(v)
	intern[s] = s
	return s
}

func (d *decoder) element(intern map[string]string) *wire.Element {
	e := &wire.Element{}
	mask := d.uvarint()
	if mask>>d.fields != 0 {
		d.err = errSnapshot
	}
	for i, f := range binFields[:d.fields] {
		if mask&(1<<i) == 0 || d.err != nil {
			continue
		}
		switch f.kind {
		case 's', 'i':
			*f.str(e) = d.str(intern, f.kind == 'i')
		case 'f':
			*f.num(e) = d.float()
		case 'p':
			n := d.uvarint()
			raw := d.take(12 * n)
			if d.err != nil {
				break
			}
			e.Points = make(wire.Points, 3*n)
			for j := range e.Points {
				e.Points[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
			}
		case 'b':
			*f.flag(e) = true
		case 'n':
			*f.whole(e) = d.varint()
		}
	}
	if d.err == nil && e.ID == "" {
		d.err = errSnapshot
	}
	return e
}
