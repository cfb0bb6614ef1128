package wire

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// wireReader is the candidate that issue 14 (§5) asked to measure against frameReader,
// the hand-written scanner in production (decode_wire.go, decode_scan.go, points.go):
// github.com/go-json-experiment/json/jsontext checks JSON's grammar and hands over
// tokens (encoding/json/jsontext still needs GOEXPERIMENT=jsonv2 in Go 1.26), and
// wireReader's key switches fill wireMsg, RawOp, Fields and Points. The rule was to
// replace the scanner if BenchmarkDecodeValidate stays within 1.5×; on 2026-12-05 it
// took 1.6× the scanner's CPU time (docs/benchmarks.md, "Decoder"), so it stays here,
// held to the scanner by FuzzDecodeDifferential, to be measured again. It answers as
// the scanner does:
//
//   - Syntax errors win over everything: the frame is refused with EBadJSON and nothing
//     of it is kept, as encoding/json checked the whole value before decoding any of it.
//   - A value of the wrong type or an unknown key is noted (the first one is reported)
//     and skipped, and decoding goes on, so that the message's t and cid are still read.
//   - A bad points array stops decoding at once (it was a custom unmarshaler's error).
//   - A repeated key's later value wins; a repeated object or ops list is decoded into
//     the earlier one, field by field and op by op.
//   - Strings keep invalid UTF-8 and lone surrogates, each turned into U+FFFD.
//
// One difference: jsontext names the start of a bad escape where the scanner names the
// bad character in it, and a comma before a closing bracket where it names the
// bracket, in a syntax error's "at byte N" (the protocol documents only the code).
type wireReader struct {
	dec       jsontext.Decoder
	src       bytes.Buffer // the frame: jsontext reads a bytes.Buffer in place
	bad       bool         // the error being returned is a syntax error
	saved     *Error       // the first wrong-type or unknown-field error
	maxPoints int          // bounds the capacity guessed for a points array
	stored    bool         // a frame from the server's own log (wireMsg.decodeStored)
	buf       []byte       // scratch for unescaping strings
	// The values of pointer fields, eight to an allocation.
	floats []float64
	strs   []string
}

// wireOptions make jsontext take what encoding/json took: a repeated key (the later
// value wins) and invalid UTF-8 in strings (replaced). Nesting is limited to 10,000
// levels, encoding/json's limit too.
var wireOptions = []jsontext.Options{jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)}

var wireReaders = sync.Pool{New: func() any { return new(wireReader) }}

// jsontextDecodeMessage is DecodeMessage with wireReader in place of frameReader.
func jsontextDecodeMessage(data []byte, lim *Limits) (*Message, error) {
	var w wireMsg
	if err := w.textDecode(data, lim); err != nil {
		return &Message{Type: w.T, CID: w.CID}, err
	}
	return w.message(lim)
}

// textDecode is wireMsg.decode with wireReader.
func (w *wireMsg) textDecode(data []byte, lim *Limits) *Error {
	return w.textDecodeWith(data, lim.MaxPoints, false)
}

// textDecodeStored is wireMsg.decodeStored with wireReader.
func (w *wireMsg) textDecodeStored(data []byte) *Error {
	return w.textDecodeWith(data, StoredLimits.MaxPoints, true)
}

func (w *wireMsg) textDecodeWith(data []byte, maxPoints int, stored bool) *Error {
	r := wireReaders.Get().(*wireReader)
	defer r.release()
	r.src = *bytes.NewBuffer(data)
	r.dec.Reset(&r.src, wireOptions...)
	r.maxPoints, r.stored = maxPoints, stored
	err := r.frame(w)
	if err != nil && !r.bad {
		// encoding/json checked the syntax of the whole value before it decoded any of it.
		if serr := checkSyntax(data); serr != nil {
			err, r.bad = serr, true
		}
	}
	switch {
	case r.bad:
		*w = wireMsg{}
		return err
	case err != nil:
		return err
	case r.saved != nil:
		return r.saved
	}
	if _, err := r.dec.ReadToken(); err != io.EOF {
		return Errorf(EBadJSON, "a frame must hold exactly one JSON object")
	}
	return nil
}

// release returns r to the pool without the frame, or the values handed out.
func (r *wireReader) release() {
	r.src = bytes.Buffer{}
	r.dec.Reset(&r.src)
	r.bad, r.saved, r.floats, r.strs = false, nil, nil, nil
	if cap(r.buf) > 64<<10 {
		r.buf = nil // a long text: do not keep it
	}
	wireReaders.Put(r)
}

// checkSyntax returns the syntax error in the first JSON value of data, if any.
func checkSyntax(data []byte) *Error {
	var r wireReader
	r.src = *bytes.NewBuffer(data)
	r.dec.Reset(&r.src, wireOptions...)
	if _, err := r.dec.ReadValue(); err != nil {
		return r.syntax(err)
	}
	return nil
}

// syntax turns the decoder's error into the frame's syntax error. Offsets count from 1,
// as encoding/json's did.
func (r *wireReader) syntax(err error) *Error {
	r.bad = true
	var serr *jsontext.SyntacticError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return Errorf(EBadJSON, "the frame is empty or cut short")
	case errors.As(err, &serr):
		return Errorf(EBadJSON, "not valid JSON at byte %d", serr.ByteOffset+1)
	}
	return Errorf(EBadJSON, "the frame could not be read as a message")
}

// fail returns the syntax error at the next value: where PeekKind found none, or one
// that cannot stand there.
func (r *wireReader) fail() *Error {
	_, err := r.dec.ReadValue()
	return r.syntax(err)
}

// token reads a token whose kind PeekKind gave: a literal or a bracket.
func (r *wireReader) token() *Error {
	if _, err := r.dec.ReadToken(); err != nil {
		return r.syntax(err)
	}
	return nil
}

// value reads the next value whole, as bytes of the frame.
func (r *wireReader) value() (jsontext.Value, *Error) {
	v, err := r.dec.ReadValue()
	if err != nil {
		return nil, r.syntax(err)
	}
	return v, nil
}

// str reads the next value, a string, and returns its contents, unescaped. They alias
// the frame when there was nothing to unescape and r.buf otherwise.
func (r *wireReader) str() ([]byte, *Error) {
	v, err := r.value()
	if err != nil {
		return nil, err
	}
	s := v[1 : len(v)-1]
	if bytes.IndexByte(s, '\\') < 0 && utf8.Valid(s) {
		return s, nil
	}
	// The decoder has checked the string: the only complaint left is about invalid
	// UTF-8 and lone surrogates, which are replaced as encoding/json replaced them.
	r.buf, _ = jsontext.AppendUnquote(r.buf[:0], v)
	return r.buf, nil
}

// members calls member for each member of the object whose '{' is next, with its key,
// which may alias r.buf: use it before reading a string.
func (r *wireReader) members(member func(key []byte) *Error) *Error {
	if err := r.token(); err != nil {
		return err
	}
	for {
		switch r.dec.PeekKind() {
		case '}':
			return r.token()
		case '"':
		default:
			return r.fail()
		}
		key, err := r.str()
		if err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
	}
}

func (r *wireReader) frame(w *wireMsg) *Error {
	switch r.dec.PeekKind() {
	case '{':
		return r.members(func(key []byte) *Error { return r.msgMember(w, key) })
	case 'n':
		return r.token() // an empty message: it has no type
	case 0:
		return r.fail()
	}
	if _, err := r.value(); err != nil {
		return err
	}
	r.saved = Errorf(EBadJSON, "a message must be a JSON object")
	return nil
}

func (r *wireReader) msgMember(w *wireMsg, key []byte) *Error {
	switch string(key) {
	case "t":
		return r.stringTo(&w.T, "", "t")
	case "v":
		v, ok, err := r.integer("", "v", strconv.IntSize)
		if ok {
			w.V = int(v)
		}
		return err
	case "since":
		v, ok, err := r.integer("", "since", 64)
		if ok {
			w.Since = v
		}
		return err
	case "name":
		return r.stringTo(&w.Name, "", "name")
	case "color":
		return r.stringTo(&w.Color, "", "color")
	case "cid":
		return r.stringTo(&w.CID, "", "cid")
	case "ops":
		return r.ops(w)
	case "title":
		return r.stringPtr(&w.Title, "", "title")
	case "canvas":
		return r.stringPtr(&w.Canvas, "", "canvas")
	case "x":
		return r.floatPtr(&w.X, "", "x")
	case "y":
		return r.floatPtr(&w.Y, "", "y")
	case "w":
		return r.floatPtr(&w.W, "", "w")
	case "h":
		return r.floatPtr(&w.H, "", "h")
	case "el":
		return r.fieldsPtr(&w.El, "el")
	case "id":
		return r.stringTo(&w.ID, "", "id")
	case "end":
		return r.boolTo(&w.End, "", "end")
	case "page":
		return r.stringTo(&w.Page, "", "page")
	case "op":
		return r.stringTo(&w.Op, "", "op")
	case "sdp":
		return r.stringPtr(&w.SDP, "", "sdp")
	case "candidate":
		return r.stringPtr(&w.Candidate, "", "candidate")
	case "mid":
		return r.stringPtr(&w.Mid, "", "mid")
	case "muted":
		return r.boolPtr(&w.Muted, "", "muted")
	case "allow":
		return r.boolPtr(&w.Allow, "", "allow")
	case "seq", "at":
		if r.stored {
			dst := &w.Seq
			if key[0] == 'a' {
				dst = &w.At
			}
			v, ok, err := r.integer("", string(key), 64)
			if ok {
				*dst = v
			}
			return err
		}
	case "by":
		if r.stored {
			return r.stringTo(&w.By, "", "by")
		}
	}
	return r.unknown(key)
}

// ops reads the ops array. Like encoding/json, a second "ops" in the same message
// decodes into the ops the first one left (the later fields win), and [] is an empty,
// not a missing, list.
func (r *wireReader) ops(w *wireMsg) *Error {
	switch r.dec.PeekKind() {
	case '[':
	case 'n':
		w.Ops = nil
		return r.token()
	default:
		return r.wrong("", "ops")
	}
	if err := r.token(); err != nil {
		return err
	}
	ops, n := w.Ops, 0
	for {
		var err *Error
		switch r.dec.PeekKind() {
		case ']':
			if err := r.token(); err != nil {
				return err
			}
			if n == 0 {
				w.Ops = []RawOp{}
			} else {
				w.Ops = ops[:n]
			}
			return nil
		case 0:
			return r.fail()
		}
		if n == len(ops) {
			if n < cap(ops) {
				ops = ops[:n+1]
			} else {
				ops = append(ops, RawOp{})
			}
		}
		switch r.dec.PeekKind() {
		case '{':
			o := &ops[n]
			err = r.members(func(key []byte) *Error { return r.opMember(o, key) })
		case 'n':
			err = r.token()
		default:
			err = r.wrong("", "ops")
		}
		if err != nil {
			return err
		}
		n++
	}
}

func (r *wireReader) opMember(o *RawOp, key []byte) *Error {
	switch string(key) {
	case "o":
		return r.stringTo(&o.O, "ops", "o")
	case "id":
		return r.stringTo(&o.ID, "ops", "id")
	case "el":
		return r.fieldsPtr(&o.El, "ops.el")
	case "set":
		return r.fieldsPtr(&o.Set, "ops.set")
	}
	return r.unknown(key)
}

// fieldsPtr reads an element, or a patch's fields, into *dst; path names it in errors.
// An element given twice is merged into the first, as encoding/json did.
func (r *wireReader) fieldsPtr(dst **Fields, path string) *Error {
	switch r.dec.PeekKind() {
	case '{':
		if *dst == nil {
			*dst = new(Fields)
		}
		f := *dst
		return r.members(func(key []byte) *Error { return r.field(f, path, key) })
	case 'n':
		*dst = nil
		return r.token()
	}
	return r.wrong("", path)
}

func (r *wireReader) field(f *Fields, at string, key []byte) *Error {
	switch string(key) {
	case "id":
		return r.stringPtr(&f.ID, at, "id")
	case "type":
		return r.stringPtr(&f.Type, at, "type")
	case "x":
		return r.floatPtr(&f.X, at, "x")
	case "y":
		return r.floatPtr(&f.Y, at, "y")
	case "w":
		return r.floatPtr(&f.W, at, "w")
	case "h":
		return r.floatPtr(&f.H, at, "h")
	case "angle":
		return r.floatPtr(&f.Angle, at, "angle")
	case "points":
		return r.pointsPtr(&f.Points)
	case "stroke":
		return r.stringPtr(&f.Stroke, at, "stroke")
	case "fill":
		return r.stringPtr(&f.Fill, at, "fill")
	case "fillStyle":
		return r.stringPtr(&f.FillStyle, at, "fillStyle")
	case "width":
		return r.floatPtr(&f.Width, at, "width")
	case "opacity":
		return r.floatPtr(&f.Opacity, at, "opacity")
	case "dash":
		return r.stringPtr(&f.Dash, at, "dash")
	case "font":
		return r.stringPtr(&f.Font, at, "font")
	case "size":
		return r.floatPtr(&f.Size, at, "size")
	case "align":
		return r.stringPtr(&f.Align, at, "align")
	case "text":
		return r.stringPtr(&f.Text, at, "text")
	case "startArrow":
		return r.stringPtr(&f.StartArrow, at, "startArrow")
	case "endArrow":
		return r.stringPtr(&f.EndArrow, at, "endArrow")
	case "curve":
		return r.stringPtr(&f.Curve, at, "curve")
	case "startBind":
		return r.stringPtr(&f.StartBind, at, "startBind")
	case "endBind":
		return r.stringPtr(&f.EndBind, at, "endBind")
	case "src":
		return r.stringPtr(&f.Src, at, "src")
	case "group":
		return r.stringPtr(&f.Group, at, "group")
	case "frame":
		return r.stringPtr(&f.Frame, at, "frame")
	case "page":
		return r.stringPtr(&f.Page, at, "page")
	case "locked":
		return r.boolPtr(&f.Locked, at, "locked")
	case "z":
		return r.stringPtr(&f.Z, at, "z")
	case "deleted":
		return r.boolPtr(&f.Deleted, at, "deleted")
	case "v":
		return r.intPtr(&f.V, at, "v")
	case "by":
		return r.stringPtr(&f.By, at, "by")
	case "at":
		return r.intPtr(&f.At, at, "at")
	}
	return r.unknown(key)
}

// unknown notes an unknown key and skips its value (in a stored frame, only skips it).
func (r *wireReader) unknown(key []byte) *Error {
	if r.saved == nil && !r.stored {
		r.saved = Errorf(EUnknownField, "unknown field %q", key)
	}
	_, err := r.value()
	return err
}

// wrong notes that the next value has the wrong type for field at.name (at is the path
// to the object holding it, "" at the top) and skips it.
func (r *wireReader) wrong(at, name string) *Error {
	var what string
	switch r.dec.PeekKind() {
	case '"':
		what = "string"
	case '{':
		what = "object"
	case '[':
		what = "array"
	case 't', 'f':
		what = "bool"
	case '0':
		what = "number"
	default:
		return r.fail()
	}
	r.typeError(at, name, what)
	_, err := r.value()
	return err
}

func (r *wireReader) typeError(at, name, what string) {
	if r.saved != nil {
		return
	}
	if at != "" {
		name = at + "." + name
	}
	r.saved = Errorf(EBadValue, "field %s has the wrong type (%s)", name, what)
}

// The readers of one field's value: null leaves a plain field as it is and makes a
// pointer nil (absent), as encoding/json did.

func (r *wireReader) stringTo(dst *string, at, name string) *Error {
	switch r.dec.PeekKind() {
	case '"':
		s, err := r.str()
		if err != nil {
			return err
		}
		*dst = intern(s)
		return nil
	case 'n':
		return r.token()
	}
	return r.wrong(at, name)
}

func (r *wireReader) stringPtr(dst **string, at, name string) *Error {
	switch r.dec.PeekKind() {
	case '"':
		s, err := r.str()
		if err != nil {
			return err
		}
		if len(r.strs) == cap(r.strs) {
			r.strs = make([]string, 0, 8)
		}
		r.strs = append(r.strs, intern(s))
		*dst = &r.strs[len(r.strs)-1]
		return nil
	case 'n':
		*dst = nil
		return r.token()
	}
	return r.wrong(at, name)
}

func (r *wireReader) floatPtr(dst **float64, at, name string) *Error {
	switch r.dec.PeekKind() {
	case '0':
		lit, err := r.value()
		if err != nil {
			return err
		}
		f, ok := textFloat(lit)
		if !ok {
			r.typeError(at, name, "number "+string(lit))
			return nil
		}
		if len(r.floats) == cap(r.floats) {
			r.floats = make([]float64, 0, 8)
		}
		r.floats = append(r.floats, f)
		*dst = &r.floats[len(r.floats)-1]
		return nil
	case 'n':
		*dst = nil
		return r.token()
	}
	return r.wrong(at, name)
}

// integer reads an integer of the given bits; ok says whether there was one. A
// fraction or exponent is the wrong type, as it was for encoding/json.
func (r *wireReader) integer(at, name string, bits int) (n int64, ok bool, err *Error) {
	switch r.dec.PeekKind() {
	case '0':
		lit, err := r.value()
		if err != nil {
			return 0, false, err
		}
		n, perr := strconv.ParseInt(string(lit), 10, bits)
		if perr != nil {
			r.typeError(at, name, "number "+string(lit))
			return 0, false, nil
		}
		return n, true, nil
	case 'n':
		return 0, false, r.token()
	}
	return 0, false, r.wrong(at, name)
}

func (r *wireReader) intPtr(dst **int64, at, name string) *Error {
	if r.dec.PeekKind() == 'n' {
		*dst = nil
		return r.token()
	}
	n, ok, err := r.integer(at, name, 64)
	if ok {
		*dst = &n
	}
	return err
}

func (r *wireReader) boolTo(dst *bool, at, name string) *Error {
	switch r.dec.PeekKind() {
	case 't', 'f':
		*dst = r.dec.PeekKind() == 't'
		return r.token()
	case 'n':
		return r.token()
	}
	return r.wrong(at, name)
}

func (r *wireReader) boolPtr(dst **bool, at, name string) *Error {
	switch r.dec.PeekKind() {
	case 't', 'f':
		b := new(bool)
		*dst = b
		return r.boolTo(b, at, name)
	case 'n':
		*dst = nil
		return r.token()
	}
	return r.wrong(at, name)
}

// pointsPtr reads the points field of an element; null makes it absent. The array is
// checked whole by the decoder and then read by textPoints.
func (r *wireReader) pointsPtr(dst **Points) *Error {
	switch r.dec.PeekKind() {
	case 'n':
		*dst = nil
		return r.token()
	case 0:
		return r.fail()
	}
	if *dst == nil {
		*dst = new(Points)
	}
	if r.dec.PeekKind() != '[' {
		return Errorf(EBadValue, "points must be an array of [x,y] or [x,y,pressure]")
	}
	v, err := r.value()
	if err != nil {
		return err
	}
	return textPoints(*dst, v, r.maxPoints)
}

// textPoints reads the array v, which is valid JSON, straight into *p, as float32
// triples. It refuses what is not a pair or triple of numbers, numbers that do not fit
// a float64, coordinates beyond MaxCoord and pressure outside [0,1], with the errors
// the encoding/json unmarshaler that read points first gave. maxPoints bounds the
// capacity it guesses.
func textPoints(p *Points, v []byte, maxPoints int) *Error {
	i := skipSpace(v, 1)
	if v[i] == ']' {
		*p = make(Points, 0)
		return nil
	}
	// Each point opens a bracket: count them (strings may hold more, hence the bounds)
	// so that the points are stored without growing.
	hint := min(bytes.Count(v[i:], []byte{'['}), len(v)/5+1, maxPoints)
	out := make(Points, 0, 3*hint)
	for {
		n := len(out) / 3
		if v[i] != '[' {
			return Errorf(EBadValue, "point %d must be [x,y] or [x,y,pressure]", n)
		}
		var xyp [3]float64
		k := 0
		for v[i] != ']' {
			i = skipSpace(v, i+1) // past '[' or ','
			if c := v[i]; k == 3 || c != '-' && (c < '0' || c > '9') {
				return Errorf(EBadValue, "point %d must be [x,y] or [x,y,pressure] of numbers", n)
			}
			f, end, ok := readNumber(v, i)
			if !ok {
				return Errorf(EBadValue, "point %d must be [x,y] or [x,y,pressure] of numbers", n)
			}
			xyp[k] = f
			k++
			i = skipSpace(v, end)
		}
		if k < 2 || !finiteWithin(xyp[0], MaxCoord) || !finiteWithin(xyp[1], MaxCoord) {
			return Errorf(EBadValue, "point %d needs x and y within ±%g", n, float64(MaxCoord))
		}
		pr := -1.0
		if k == 3 {
			if !finiteIn(xyp[2], 0, 1) {
				return Errorf(EBadValue, "point %d: pressure must be 0-1", n)
			}
			pr = xyp[2]
		}
		out = append(out, float32(xyp[0]), float32(xyp[1]), float32(pr))
		if i = skipSpace(v, i+1); v[i] == ']' {
			break
		}
		i = skipSpace(v, i+1) // past ','
	}
	*p = out
	return nil
}

// textFloat returns the value of lit, a JSON number, with ok false where it does not
// fit a float64.
func textFloat(lit []byte) (f float64, ok bool) {
	f, _, ok = readNumber(lit, 0)
	return f, ok
}

// readNumber reads the number at v[i] in valid JSON and returns its value, as
// strconv.ParseFloat gives it, and where it ends; ok is false where strconv gives a range
// error. Most coordinates have few digits and no exponent: then the literal's digits
// (at most 15) make an integer m below 10^15 and its value is m/10^k with k ≤ 22, both
// exactly representable, so one division rounds it correctly, as strconv's own first
// path does. Anything else goes to strconv.
func readNumber(v []byte, i int) (f float64, end int, ok bool) {
	start := i
	neg := v[i] == '-'
	if neg {
		i++
	}
	var m uint64
	digits, frac := 0, 0
	for ; i < len(v) && isDigit(v[i]); i++ {
		m = m*10 + uint64(v[i]-'0')
		digits++
	}
	if i < len(v) && v[i] == '.' {
		for i++; i < len(v) && isDigit(v[i]); i++ {
			m = m*10 + uint64(v[i]-'0')
			digits++
			frac++
		}
	}
	exp := i < len(v) && (v[i] == 'e' || v[i] == 'E')
	if exp {
		for i++; i < len(v) && (isDigit(v[i]) || v[i] == '+' || v[i] == '-'); i++ {
		}
	}
	if exp || digits > 15 || frac >= len(exactPow10) {
		f, err := strconv.ParseFloat(string(v[start:i]), 64)
		return f, i, err == nil
	}
	f = float64(m)
	if frac > 0 {
		f /= exactPow10[frac]
	}
	if neg {
		f = -f
	}
	return f, i, true
}
