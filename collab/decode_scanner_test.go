package collab

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The hand-written scanner that decoded client frames before wireReader (decode_json.go),
// kept as the reference FuzzDecodeDifferential holds wireReader to: decode_wire.go,
// decode_scan.go and the frame reading of points.go as they were at 83b661d.

// scanDecodeMessage is DecodeMessage as the scanner did it.
func scanDecodeMessage(data []byte, lim *Limits) (*Message, error) {
	var w wireMsg
	if err := w.scanDecode(data, lim); err != nil {
		return &Message{Type: w.T, CID: w.CID}, err
	}
	return w.message(lim)
}

// scanDecode is wireMsg.decode as the scanner did it.
func (w *wireMsg) scanDecode(data []byte, lim *Limits) *Error {
	return w.scanDecodeWith(frameReader{b: data, maxPoints: lim.MaxPoints})
}

// scanDecodeStored is wireMsg.decodeStored as the scanner did it.
func (w *wireMsg) scanDecodeStored(data []byte) *Error {
	return w.scanDecodeWith(frameReader{b: data, maxPoints: storedLimits.MaxPoints, stored: true})
}

func (w *wireMsg) scanDecodeWith(d frameReader) *Error {
	data := d.b
	err := d.frame(w)
	if err != nil && !d.bad {
		// encoding/json checked the syntax of the whole value before it decoded any of it.
		check := frameReader{b: data}
		check.ws()
		if serr := check.skip(0); serr != nil {
			err, d.bad = serr, true
		}
	}
	switch {
	case d.bad:
		*w = wireMsg{}
		return err
	case err != nil:
		return err
	case d.saved != nil:
		return d.saved
	}
	d.ws()
	if d.i < len(d.b) {
		return errorf(EBadJSON, "a frame must hold exactly one JSON object")
	}
	return nil
}

func (d *frameReader) frame(w *wireMsg) *Error {
	d.ws()
	switch d.peek() {
	case '{':
		return d.msg(w)
	case 'n':
		return d.word("null") // an empty message: it has no type
	}
	if err := d.skip(0); err != nil {
		return err
	}
	d.saved = errorf(EBadJSON, "a message must be a JSON object")
	return nil
}

func (d *frameReader) msg(w *wireMsg) *Error {
	d.i++
	for first := true; ; first = false {
		key, more, err := d.member(first)
		if !more || err != nil {
			return err
		}
		switch string(key) {
		case "t":
			err = d.stringTo(&w.T, "", "t", 1)
		case "v":
			var v int64
			var ok bool
			if v, ok, err = d.integer("", "v", 1, strconv.IntSize); ok {
				w.V = int(v)
			}
		case "since":
			var v int64
			var ok bool
			if v, ok, err = d.integer("", "since", 1, 64); ok {
				w.Since = v
			}
		case "name":
			err = d.stringTo(&w.Name, "", "name", 1)
		case "color":
			err = d.stringTo(&w.Color, "", "color", 1)
		case "cid":
			err = d.stringTo(&w.CID, "", "cid", 1)
		case "ops":
			err = d.ops(w)
		case "title":
			err = d.stringPtr(&w.Title, "", "title", 1)
		case "canvas":
			err = d.stringPtr(&w.Canvas, "", "canvas", 1)
		case "x":
			err = d.floatPtr(&w.X, "", "x", 1)
		case "y":
			err = d.floatPtr(&w.Y, "", "y", 1)
		case "w":
			err = d.floatPtr(&w.W, "", "w", 1)
		case "h":
			err = d.floatPtr(&w.H, "", "h", 1)
		case "el":
			err = d.fieldsPtr(&w.El, "el", 1)
		case "id":
			err = d.stringTo(&w.ID, "", "id", 1)
		case "end":
			err = d.boolTo(&w.End, "", "end", 1)
		case "op":
			err = d.stringTo(&w.Op, "", "op", 1)
		case "sdp":
			err = d.stringPtr(&w.SDP, "", "sdp", 1)
		case "candidate":
			err = d.stringPtr(&w.Candidate, "", "candidate", 1)
		case "mid":
			err = d.stringPtr(&w.Mid, "", "mid", 1)
		case "muted":
			err = d.boolPtr(&w.Muted, "", "muted", 1)
		case "allow":
			err = d.boolPtr(&w.Allow, "", "allow", 1)
		case "seq", "by", "at":
			if !d.stored {
				err = d.unknown(key, 1)
				break
			}
			if key[0] == 'b' {
				err = d.stringTo(&w.By, "", "by", 1)
				break
			}
			var v int64
			var ok bool
			if v, ok, err = d.integer("", string(key), 1, 64); ok {
				if key[0] == 's' {
					w.Seq = v
				} else {
					w.At = v
				}
			}
		default:
			err = d.unknown(key, 1)
		}
		if err != nil {
			return err
		}
	}
}

// ops reads the ops array. Like encoding/json, a second "ops" in the same message
// decodes into the ops the first one left (the later fields win), and [] is an empty,
// not a missing, list.
func (d *frameReader) ops(w *wireMsg) *Error {
	switch d.peek() {
	case '[':
	case 'n':
		w.Ops = nil
		return d.word("null")
	default:
		return d.wrong("", "ops", 1)
	}
	d.i++
	ops, n := w.Ops, 0
	for first := true; ; first = false {
		more, err := d.next(first, ']')
		if err != nil {
			return err
		}
		if !more {
			break
		}
		if n == len(ops) {
			if n < cap(ops) {
				ops = ops[:n+1]
			} else {
				ops = append(ops, wireOp{})
			}
		}
		switch d.peek() {
		case '{':
			err = d.op(&ops[n])
		case 'n':
			err = d.word("null")
		default:
			err = d.wrong("", "ops", 2)
		}
		if err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		w.Ops = []wireOp{}
	} else {
		w.Ops = ops[:n]
	}
	return nil
}

func (d *frameReader) op(o *wireOp) *Error {
	d.i++
	for first := true; ; first = false {
		key, more, err := d.member(first)
		if !more || err != nil {
			return err
		}
		switch string(key) {
		case "o":
			err = d.stringTo(&o.O, "ops", "o", 3)
		case "id":
			err = d.stringTo(&o.ID, "ops", "id", 3)
		case "el":
			err = d.fieldsPtr(&o.El, "ops.el", 3)
		case "set":
			err = d.fieldsPtr(&o.Set, "ops.set", 3)
		default:
			err = d.unknown(key, 3)
		}
		if err != nil {
			return err
		}
	}
}

// fieldsPtr reads an element, or a patch's fields, into *dst; path names it in errors.
// An element given twice is merged into the first, as encoding/json did.
func (d *frameReader) fieldsPtr(dst **Fields, path string, depth int) *Error {
	switch d.peek() {
	case '{':
		if *dst == nil {
			*dst = new(Fields)
		}
		return d.fields(*dst, path, depth+1)
	case 'n':
		*dst = nil
		return d.word("null")
	}
	return d.wrong("", path, depth)
}

func (d *frameReader) fields(f *Fields, at string, depth int) *Error {
	d.i++
	for first := true; ; first = false {
		key, more, err := d.member(first)
		if !more || err != nil {
			return err
		}
		switch string(key) {
		case "id":
			err = d.stringPtr(&f.ID, at, "id", depth)
		case "type":
			err = d.stringPtr(&f.Type, at, "type", depth)
		case "x":
			err = d.floatPtr(&f.X, at, "x", depth)
		case "y":
			err = d.floatPtr(&f.Y, at, "y", depth)
		case "w":
			err = d.floatPtr(&f.W, at, "w", depth)
		case "h":
			err = d.floatPtr(&f.H, at, "h", depth)
		case "angle":
			err = d.floatPtr(&f.Angle, at, "angle", depth)
		case "points":
			err = d.pointsPtr(&f.Points)
		case "stroke":
			err = d.stringPtr(&f.Stroke, at, "stroke", depth)
		case "fill":
			err = d.stringPtr(&f.Fill, at, "fill", depth)
		case "fillStyle":
			err = d.stringPtr(&f.FillStyle, at, "fillStyle", depth)
		case "width":
			err = d.floatPtr(&f.Width, at, "width", depth)
		case "opacity":
			err = d.floatPtr(&f.Opacity, at, "opacity", depth)
		case "dash":
			err = d.stringPtr(&f.Dash, at, "dash", depth)
		case "font":
			err = d.stringPtr(&f.Font, at, "font", depth)
		case "size":
			err = d.floatPtr(&f.Size, at, "size", depth)
		case "align":
			err = d.stringPtr(&f.Align, at, "align", depth)
		case "text":
			err = d.stringPtr(&f.Text, at, "text", depth)
		case "startArrow":
			err = d.stringPtr(&f.StartArrow, at, "startArrow", depth)
		case "endArrow":
			err = d.stringPtr(&f.EndArrow, at, "endArrow", depth)
		case "curve":
			err = d.stringPtr(&f.Curve, at, "curve", depth)
		case "startBind":
			err = d.stringPtr(&f.StartBind, at, "startBind", depth)
		case "endBind":
			err = d.stringPtr(&f.EndBind, at, "endBind", depth)
		case "src":
			err = d.stringPtr(&f.Src, at, "src", depth)
		case "group":
			err = d.stringPtr(&f.Group, at, "group", depth)
		case "locked":
			err = d.boolPtr(&f.Locked, at, "locked", depth)
		case "z":
			err = d.stringPtr(&f.Z, at, "z", depth)
		case "deleted":
			err = d.boolPtr(&f.Deleted, at, "deleted", depth)
		case "v":
			err = d.intPtr(&f.V, at, "v", depth)
		case "by":
			err = d.stringPtr(&f.By, at, "by", depth)
		case "at":
			err = d.intPtr(&f.At, at, "at", depth)
		default:
			err = d.unknown(key, depth)
		}
		if err != nil {
			return err
		}
	}
}

// unknown notes an unknown key and skips its value (in a stored frame, only skips it).
func (d *frameReader) unknown(key []byte, depth int) *Error {
	if d.saved == nil && !d.stored {
		d.saved = errorf(EUnknownField, "unknown field %q", key)
	}
	return d.skip(depth)
}

// wrong notes that the value at d.i has the wrong type for field at.name (at is the
// path to the object holding it, "" at the top) and skips it. depth is how many arrays
// and objects enclose the value.
func (d *frameReader) wrong(at, name string, depth int) *Error {
	var what string
	switch c := d.peek(); {
	case c == '"':
		what = "string"
	case c == '{':
		what = "object"
	case c == '[':
		what = "array"
	case c == 't' || c == 'f':
		what = "bool"
	case c == '-' || isDigit(c):
		what = "number"
	default:
		return d.syntax(d.i)
	}
	d.typeError(at, name, what)
	return d.skip(depth)
}

func (d *frameReader) typeError(at, name, what string) {
	if d.saved != nil {
		return
	}
	if at != "" {
		name = at + "." + name
	}
	d.saved = errorf(EBadValue, "field %s has the wrong type (%s)", name, what)
}

// The readers of one field's value: null leaves a plain field as it is and makes a
// pointer nil (absent), as encoding/json did.

func (d *frameReader) stringTo(dst *string, at, name string, depth int) *Error {
	switch d.peek() {
	case '"':
		s, err := d.str(true)
		if err != nil {
			return err
		}
		*dst = intern(s)
		return nil
	case 'n':
		return d.word("null")
	}
	return d.wrong(at, name, depth)
}

func (d *frameReader) stringPtr(dst **string, at, name string, depth int) *Error {
	switch d.peek() {
	case '"':
		s, err := d.str(true)
		if err != nil {
			return err
		}
		if len(d.strs) == cap(d.strs) {
			d.strs = make([]string, 0, 8)
		}
		d.strs = append(d.strs, intern(s))
		*dst = &d.strs[len(d.strs)-1]
		return nil
	case 'n':
		*dst = nil
		return d.word("null")
	}
	return d.wrong(at, name, depth)
}

func (d *frameReader) floatPtr(dst **float64, at, name string, depth int) *Error {
	switch c := d.peek(); {
	case c == '-' || isDigit(c):
		start := d.i
		f, ok, err := d.float()
		if err != nil {
			return err
		}
		if !ok {
			d.typeError(at, name, "number "+string(d.b[start:d.i]))
			return nil
		}
		if len(d.floats) == cap(d.floats) {
			d.floats = make([]float64, 0, 8)
		}
		d.floats = append(d.floats, f)
		*dst = &d.floats[len(d.floats)-1]
		return nil
	case c == 'n':
		*dst = nil
		return d.word("null")
	}
	return d.wrong(at, name, depth)
}

// integer reads an integer of the given bits; ok says whether there was one. A
// fraction or exponent is the wrong type, as it was for encoding/json.
func (d *frameReader) integer(at, name string, depth, bits int) (n int64, ok bool, err *Error) {
	switch c := d.peek(); {
	case c == '-' || isDigit(c):
		lit, err := d.num()
		if err != nil {
			return 0, false, err
		}
		n, perr := strconv.ParseInt(string(lit), 10, bits)
		if perr != nil {
			d.typeError(at, name, "number "+string(lit))
			return 0, false, nil
		}
		return n, true, nil
	case c == 'n':
		return 0, false, d.word("null")
	}
	return 0, false, d.wrong(at, name, depth)
}

func (d *frameReader) intPtr(dst **int64, at, name string, depth int) *Error {
	if d.peek() == 'n' {
		*dst = nil
		return d.word("null")
	}
	n, ok, err := d.integer(at, name, depth, 64)
	if ok {
		*dst = &n
	}
	return err
}

func (d *frameReader) boolTo(dst *bool, at, name string, depth int) *Error {
	switch d.peek() {
	case 't':
		*dst = true
		return d.word("true")
	case 'f':
		*dst = false
		return d.word("false")
	case 'n':
		return d.word("null")
	}
	return d.wrong(at, name, depth)
}

func (d *frameReader) boolPtr(dst **bool, at, name string, depth int) *Error {
	switch d.peek() {
	case 't', 'f':
		b := new(bool)
		*dst = b
		return d.boolTo(b, at, name, depth)
	case 'n':
		*dst = nil
		return d.word("null")
	}
	return d.wrong(at, name, depth)
}

// maxDepth is how deeply arrays and objects may nest in a frame: encoding/json's limit,
// kept so that what was refused before is refused now.
const maxDepth = 10000

// frameReader reads one client frame in a single pass: a byte scanner that checks JSON's
// grammar as it goes and fills wireMsg, wireOp, Fields and Points directly
// (decode_wire.go, points.go). It replaces encoding/json, which scanned every frame
// twice and reflected over every field, and it answers as encoding/json did:
//
//   - Syntax errors win over everything: the frame is refused with EBadJSON and nothing
//     of it is kept, as encoding/json checked the whole value before decoding any of it.
//   - A value of the wrong type or an unknown key is noted (the first one is reported)
//     and skipped, and decoding goes on, so that the message's t and cid are still read.
//   - A bad points array stops decoding at once (it was a custom unmarshaler's error).
//   - A repeated key's later value wins; a repeated object or ops list is decoded into
//     the earlier one, field by field and op by op.
//
// Keys are matched exactly; encoding/json also took "T" for "t" (docs/protocol.md).
// FuzzDecodeMatchesEncodingJSON holds it to the decoder it replaced.
type frameReader struct {
	b         []byte
	i         int
	bad       bool   // the error being returned is a syntax error
	saved     *Error // the first wrong-type or unknown-field error
	maxPoints int    // bounds the capacity guessed for a points array
	stored    bool   // a frame from the server's own log (wireMsg.decodeStored)
	buf       []byte // scratch for unescaping strings
	// The values of pointer fields, eight to an allocation.
	floats []float64
	strs   []string
}

// syntax returns the syntax error for the byte at i: the frame is cut short when i is
// past its end. Offsets count from 1, as encoding/json's did.
func (d *frameReader) syntax(i int) *Error {
	d.bad = true
	if i >= len(d.b) {
		return errorf(EBadJSON, "the frame is empty or cut short")
	}
	return errorf(EBadJSON, "not valid JSON at byte %d", i+1)
}

// ws skips JSON whitespace.
func (d *frameReader) ws() { d.i = skipSpace(d.b, d.i) }

// peek returns the byte at d.i, or 0 at the end of the frame (a NUL byte in the frame
// is a syntax error wherever it is, which syntax reports correctly either way).
func (d *frameReader) peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// next moves to the next element of the array or object being read, past the comma
// that separates it from the one before; it returns false, past the closing bracket,
// when there is none. first says whether no element has been read yet.
func (d *frameReader) next(first bool, end byte) (bool, *Error) {
	d.ws()
	if d.i >= len(d.b) {
		return false, d.syntax(d.i)
	}
	switch d.b[d.i] {
	case end:
		d.i++
		return false, nil
	case ',':
		if !first {
			d.i++
			d.ws()
			return true, nil
		}
	default:
		if first {
			return true, nil
		}
	}
	return false, d.syntax(d.i)
}

// member moves to the next member of the object being read and returns its key,
// leaving d.i at its value. The key may alias d.buf: use it before reading a string.
func (d *frameReader) member(first bool) ([]byte, bool, *Error) {
	more, err := d.next(first, '}')
	if !more || err != nil {
		return nil, false, err
	}
	if d.peek() != '"' {
		return nil, false, d.syntax(d.i)
	}
	key, err := d.str(true)
	if err != nil {
		return nil, false, err
	}
	d.ws()
	if d.peek() != ':' {
		return nil, false, d.syntax(d.i)
	}
	d.i++
	d.ws()
	return key, true, nil
}

// str reads the string at d.i (which is '"'). With keep it returns its contents,
// unescaped, aliasing the frame when there was nothing to unescape and d.buf otherwise.
// As encoding/json did, it takes every escape JSON has, turns a \u escape of half a
// surrogate pair that is not followed by its other half, and every byte that is not
// part of valid UTF-8, into U+FFFD, and refuses control characters.
func (d *frameReader) str(keep bool) ([]byte, *Error) {
	b := d.b
	start := d.i + 1
	i := start
	for i < len(b) {
		c := b[i]
		if c == '"' {
			d.i = i + 1
			return b[start:i], nil
		}
		if c == '\\' || c < ' ' {
			break
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	out := d.buf[:0]
	if keep {
		out = append(out, b[start:i]...)
	}
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			d.i = i + 1
			d.buf = out
			return out, nil
		case c < ' ':
			return nil, d.syntax(i)
		case c == '\\':
			i++
			if i >= len(b) {
				return nil, d.syntax(i)
			}
			switch c := b[i]; c {
			case '"', '\\', '/':
				out = append(out, c)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, err := d.hex4(i + 1)
				if err != nil {
					return nil, err
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2, ok := d.nextU(i + 1)
					if pair := utf16.DecodeRune(r, r2); ok && pair != utf8.RuneError {
						r = pair
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				return nil, d.syntax(i)
			}
			i++
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			out = utf8.AppendRune(out, r) // U+FFFD for a byte that is not UTF-8
			i += size
		}
		if !keep { // only checking: forget the character
			out = out[:0]
		}
	}
	return nil, d.syntax(i)
}

// hex4 reads the four hex digits of a \u escape at i.
func (d *frameReader) hex4(i int) (rune, *Error) {
	var r rune
	for k := i; k < i+4; k++ {
		if k >= len(d.b) {
			return 0, d.syntax(k)
		}
		v, ok := hexValue(d.b[k])
		if !ok {
			return 0, d.syntax(k)
		}
		r = r<<4 | v
	}
	return r, nil
}

// nextU reads the \uXXXX that may follow half a surrogate pair at i, without complaint
// if there is none.
func (d *frameReader) nextU(i int) (rune, bool) {
	if i+6 > len(d.b) || d.b[i] != '\\' || d.b[i+1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range d.b[i+2 : i+6] {
		v, ok := hexValue(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | v
	}
	return r, true
}

func hexValue(c byte) (rune, bool) {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0'), true
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10), true
	case c >= 'A' && c <= 'F':
		return rune(c - 'A' + 10), true
	}
	return 0, false
}


// num reads the number at d.i and returns its literal.
func (d *frameReader) num() ([]byte, *Error) {
	end, ok := numberEnd(d.b, d.i)
	if !ok {
		return nil, d.syntax(end)
	}
	lit := d.b[d.i:end]
	d.i = end
	return lit, nil
}

// numberEnd returns where the number starting at b[i] ends, or with ok false the index
// of the byte where it stops being one. It refuses what JSON's grammar does not allow:
// a leading +, leading zeros, a bare or trailing point, an empty exponent.
func numberEnd(b []byte, i int) (end int, ok bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return i, false
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		i++
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return i, false
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return i, false
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i, true
}

// float reads the number at d.i and returns its value, or ok false when it does not fit
// a float64.
func (d *frameReader) float() (f float64, ok bool, err *Error) {
	f, end, ok, valid := parseNumber(d.b, d.i)
	if !valid {
		return 0, false, d.syntax(end)
	}
	d.i = end
	return f, ok, nil
}

// parseNumber reads the number starting at b[i] as numberEnd does and returns its value:
// the float64 strconv.ParseFloat gives for its literal, with inRange false where
// strconv gives a range error. Most coordinates have few digits and no exponent: then
// the literal's digits (at most 15) make an integer m below 10^15 and its value is
// m/10^k with k ≤ 22, both exactly representable, so one division rounds it correctly,
// as strconv's own first path does. Anything else goes to strconv.
func parseNumber(b []byte, i int) (f float64, end int, inRange, valid bool) {
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	var m uint64
	switch {
	case i >= len(b):
		return 0, i, false, false
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			m = m*10 + uint64(b[i]-'0')
			i++
		}
	default:
		return 0, i, false, false
	}
	frac := 0
	if i < len(b) && b[i] == '.' {
		i++
		from := i
		for i < len(b) && isDigit(b[i]) {
			m = m*10 + uint64(b[i]-'0')
			i++
		}
		if frac = i - from; frac == 0 {
			return 0, i, false, false
		}
	}
	digits := i - start // leading zeros included, which keeps the count simple
	if b[start] == '-' {
		digits--
	}
	if frac > 0 {
		digits-- // the point
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') || digits > 15 || frac >= len(exactPow10) {
		end, ok := numberEnd(b, start)
		if !ok {
			return 0, end, false, false
		}
		f, err := strconv.ParseFloat(string(b[start:end]), 64)
		return f, end, err == nil, true
	}
	f = float64(m)
	if frac > 0 {
		f /= exactPow10[frac]
	}
	if b[start] == '-' {
		f = -f
	}
	return f, i, true, true
}

// word reads the literal true, false or null at d.i.
func (d *frameReader) word(w string) *Error {
	for k := 0; k < len(w); k++ {
		if d.i+k >= len(d.b) || d.b[d.i+k] != w[k] {
			return d.syntax(d.i + k)
		}
	}
	d.i += len(w)
	return nil
}

// skip reads past the value at d.i, checking its syntax, keeping nothing. depth is
// how many arrays and objects enclose it. It does not recurse, so hostile nesting
// costs a byte of memory per level, up to maxDepth.
func (d *frameReader) skip(depth int) *Error {
	var open []byte // the brackets of the arrays and objects being skipped
	for {
		// d.i is at a value.
		switch c := d.peek(); c {
		case '{', '[':
			if depth+len(open) >= maxDepth {
				return d.syntax(d.i)
			}
			d.i++
			end := byte(']')
			if c == '{' {
				end = '}'
			}
			more, err := d.next(true, end)
			if err != nil {
				return err
			}
			if more {
				open = append(open, end)
				if end == '}' {
					if err := d.skipKey(); err != nil {
						return err
					}
				}
				continue
			}
		case '"':
			if _, err := d.str(false); err != nil {
				return err
			}
		case 't':
			if err := d.word("true"); err != nil {
				return err
			}
		case 'f':
			if err := d.word("false"); err != nil {
				return err
			}
		case 'n':
			if err := d.word("null"); err != nil {
				return err
			}
		default:
			if _, err := d.num(); err != nil {
				return err
			}
		}
		// A value has ended: close what ends with it, then move to the next one.
		for {
			if len(open) == 0 {
				return nil
			}
			end := open[len(open)-1]
			more, err := d.next(false, end)
			if err != nil {
				return err
			}
			if more {
				if end == '}' {
					if err := d.skipKey(); err != nil {
						return err
					}
				}
				break
			}
			open = open[:len(open)-1]
		}
	}
}

// skipKey reads past an object member's key and colon.
func (d *frameReader) skipKey() *Error {
	if d.peek() != '"' {
		return d.syntax(d.i)
	}
	if _, err := d.str(false); err != nil {
		return err
	}
	d.ws()
	if d.peek() != ':' {
		return d.syntax(d.i)
	}
	d.i++
	d.ws()
	return nil
}

// pointsPtr reads the points field of an element; null makes it absent.
func (d *frameReader) pointsPtr(dst **Points) *Error {
	if d.peek() == 'n' {
		*dst = nil
		return d.word("null")
	}
	if *dst == nil {
		*dst = new(Points)
	}
	return d.points(*dst)
}

// points reads the array at d.i straight into *p, as float32 triples. It refuses (and
// stops decoding the frame) what is not a pair or triple of numbers, numbers that do
// not fit a float64, coordinates beyond MaxCoord and pressure outside [0,1]. The
// errors are those the encoding/json unmarshaler gave, which saw only valid JSON: what
// is both misshapen and not JSON gets the syntax error (wireMsg.decode sees to that).
func (d *frameReader) points(p *Points) *Error {
	if d.peek() != '[' {
		return errorf(EBadValue, "points must be an array of [x,y] or [x,y,pressure]")
	}
	d.i++
	d.ws()
	if d.peek() == ']' {
		d.i++
		*p = make(Points, 0)
		return nil
	}
	out := make(Points, 0, 3*d.pointsHint())
	// The position is kept in a local: this loop reads most of a stroke's bytes, and
	// an error here ends the decoding, so d.i is only set at the end.
	b, i := d.b, d.i
	for {
		n := len(out) / 3
		if i = skipSpace(b, i); i >= len(b) || b[i] != '[' {
			return errorf(EBadValue, "point %d must be [x,y] or [x,y,pressure]", n)
		}
		i++
		var v [3]float64
		k := 0
		for {
			i = skipSpace(b, i)
			if k == 3 || i >= len(b) || b[i] != '-' && !isDigit(b[i]) {
				return errorf(EBadValue, "point %d must be [x,y] or [x,y,pressure] of numbers", n)
			}
			f, end, inRange, valid := parseNumber(b, i)
			if !valid {
				return d.syntax(end)
			}
			if !inRange {
				return errorf(EBadValue, "point %d must be [x,y] or [x,y,pressure] of numbers", n)
			}
			v[k] = f
			k++
			if i = skipSpace(b, end); i < len(b) && b[i] == ']' {
				i++
				break
			}
			if i >= len(b) || b[i] != ',' {
				return errorf(EBadValue, "point %d is malformed", n)
			}
			i++
		}
		if k < 2 || !finiteWithin(v[0], MaxCoord) || !finiteWithin(v[1], MaxCoord) {
			return errorf(EBadValue, "point %d needs x and y within ±%g", n, float64(MaxCoord))
		}
		pr := -1.0
		if k == 3 {
			if !finiteIn(v[2], 0, 1) {
				return errorf(EBadValue, "point %d: pressure must be 0-1", n)
			}
			pr = v[2]
		}
		out = append(out, float32(v[0]), float32(v[1]), float32(pr))
		if i = skipSpace(b, i); i < len(b) && b[i] == ']' {
			i++
			break
		}
		if i >= len(b) || b[i] != ',' {
			return errorf(EBadValue, "points must be separated by commas")
		}
		i++
	}
	d.i = i
	*p = out
	return nil
}

// pointsHint counts the points of the array being read, so that they are stored
// without growing: its brackets, up to the '"' or '}' that follows a well-formed one.
// The count is bounded by the bytes left (a point takes at least five) and the limit.
func (d *frameReader) pointsHint() int {
	rest := d.b[d.i:]
	if end := bytes.IndexByte(rest, '"'); end >= 0 {
		rest = rest[:end]
	}
	if end := bytes.IndexByte(rest, '}'); end >= 0 {
		rest = rest[:end]
	}
	return min(bytes.Count(rest, []byte{'['}), len(rest)/5+1, d.maxPoints)
}
