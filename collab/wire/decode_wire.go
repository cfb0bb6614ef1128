package wire

import "strconv"

// decode fills w from one client frame (see frameReader). On a syntax error w is left
// empty; on any other error it holds what was read, so that the refusal can name the
// message's type and cid.
func (w *wireMsg) decode(data []byte, lim *Limits) *Error {
	return w.decodeWith(frameReader{b: data, maxPoints: lim.MaxPoints})
}

// decodeStored fills w from a broadcast the server stored in a board's log: the same
// decoder, but the server's fields (seq, by, at) are read and unknown keys are skipped
// without complaint, as the encoding/json decoder that replayed logs before did.
func (w *wireMsg) decodeStored(data []byte) *Error {
	return w.decodeWith(frameReader{b: data, maxPoints: StoredLimits.MaxPoints, stored: true})
}

// StoredBatch is a batch as a board's log holds it (OpsFrame's bytes). Its ops are
// not yet checked: RawOp.Decode with StoredLimits does that.
type StoredBatch struct {
	Seq     int64
	CID, By string
	At      int64
	Ops     []RawOp
}

// DecodeStored reads a batch the server stored in a board's log. It returns an *Error
// when the frame cannot be read.
func DecodeStored(frame []byte) (StoredBatch, error) {
	var w wireMsg
	if err := w.decodeStored(frame); err != nil {
		return StoredBatch{}, err
	}
	return StoredBatch{Seq: w.Seq, CID: w.CID, By: w.By, At: w.At, Ops: w.Ops}, nil
}

func (w *wireMsg) decodeWith(d frameReader) *Error {
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
		return Errorf(EBadJSON, "a frame must hold exactly one JSON object")
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
	d.saved = Errorf(EBadJSON, "a message must be a JSON object")
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
		case "page":
			err = d.stringTo(&w.Page, "", "page", 1)
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
				ops = append(ops, RawOp{})
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
		w.Ops = []RawOp{}
	} else {
		w.Ops = ops[:n]
	}
	return nil
}

func (d *frameReader) op(o *RawOp) *Error {
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
		case "frame":
			err = d.stringPtr(&f.Frame, at, "frame", depth)
		case "page":
			err = d.stringPtr(&f.Page, at, "page", depth)
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
		d.saved = Errorf(EUnknownField, "unknown field %q", key)
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
	d.saved = Errorf(EBadValue, "field %s has the wrong type (%s)", name, what)
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

// intern returns the words a frame repeats most (message types, op kinds, element
// types) without allocating.
func intern(b []byte) string {
	switch string(b) {
	case MsgOps:
		return MsgOps
	case MsgCursor:
		return MsgCursor
	case MsgPreview:
		return MsgPreview
	case MsgView:
		return MsgView
	case "put":
		return "put"
	case "patch":
		return "patch"
	case "del":
		return "del"
	case "stroke":
		return "stroke"
	case "rect":
		return "rect"
	}
	return string(b)
}
