package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
)

// The way client frames were decoded before frameReader, kept as the reference it must
// agree with: encoding/json's Decoder with DisallowUnknownFields into the wire structs,
// and the points unmarshaler of the time. refMsg, refOp and refFields are the wire
// structs with that unmarshaler in place of today's; everything else is theirs.

type refMsg struct {
	wireMsg
	Ops []refOp    `json:"ops"`
	El  *refFields `json:"el"`
}

type refOp struct {
	O   string     `json:"o"`
	ID  string     `json:"id"`
	El  *refFields `json:"el"`
	Set *refFields `json:"set"`
}

type refFields struct {
	Fields
	Points *refPoints `json:"points"`
}

type refPoints Points

// refDecode decodes a frame as DecodeMessage did. On error the wireMsg holds only t
// and cid, what DecodeMessage passed on.
func refDecode(data []byte) (wireMsg, error) {
	var r refMsg
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			typ.Field = refPath(typ.Field)
		}
		return wireMsg{T: r.T, CID: r.CID}, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return wireMsg{T: r.T, CID: r.CID}, Errorf(EBadJSON, "a frame must hold exactly one JSON object")
	}
	w := r.wireMsg
	w.El = r.El.fields()
	if r.Ops != nil {
		w.Ops = make([]RawOp, len(r.Ops))
		for i, o := range r.Ops {
			w.Ops[i] = RawOp{O: o.O, ID: o.ID, El: o.El.fields(), Set: o.Set.fields()}
		}
	}
	return w, nil
}

// refDecodeMessage is DecodeMessage as it was.
func refDecodeMessage(data []byte, lim *Limits) (*Message, error) {
	w, err := refDecode(data)
	if err != nil {
		return &Message{Type: w.T, CID: w.CID}, err
	}
	return w.message(lim)
}

// refPath drops the names of the embedded structs from the path encoding/json gives
// a field of the wrong type, leaving the path the wire structs themselves give.
func refPath(p string) string {
	var keep []string
	for _, s := range strings.Split(p, ".") {
		if s != "wireMsg" && s != "Fields" {
			keep = append(keep, s)
		}
	}
	return strings.Join(keep, ".")
}

func (r *refFields) fields() *Fields {
	if r == nil {
		return nil
	}
	f := r.Fields
	f.Points = (*Points)(r.Points)
	return &f
}

// UnmarshalJSON is Points.UnmarshalJSON as it was.
func (p *refPoints) UnmarshalJSON(data []byte) error {
	s := refScanner{b: data}
	if s.peek() == 'n' { // null
		*p = nil
		return nil
	}
	if !s.eat('[') {
		return Errorf(EBadValue, "points must be an array of [x,y] or [x,y,pressure]")
	}
	out := make(refPoints, 0, 3*(len(data)/12+1))
	if s.eat(']') {
		*p = out
		return nil
	}
	for {
		if !s.eat('[') {
			return Errorf(EBadValue, "point %d must be [x,y] or [x,y,pressure]", len(out)/3)
		}
		var v [3]float64
		n := 0
		for {
			f, ok := s.number()
			if !ok || n == 3 {
				return Errorf(EBadValue, "point %d must be [x,y] or [x,y,pressure] of numbers", len(out)/3)
			}
			v[n] = f
			n++
			if s.eat(']') {
				break
			}
			if !s.eat(',') {
				return Errorf(EBadValue, "point %d is malformed", len(out)/3)
			}
		}
		if n < 2 || !finiteWithin(v[0], MaxCoord) || !finiteWithin(v[1], MaxCoord) {
			return Errorf(EBadValue, "point %d needs x and y within ±%g", len(out)/3, float64(MaxCoord))
		}
		pr := -1.0
		if n == 3 {
			if !finiteIn(v[2], 0, 1) {
				return Errorf(EBadValue, "point %d: pressure must be 0-1", len(out)/3)
			}
			pr = v[2]
		}
		out = append(out, float32(v[0]), float32(v[1]), float32(pr))
		if s.eat(']') {
			break
		}
		if !s.eat(',') {
			return Errorf(EBadValue, "points must be separated by commas")
		}
	}
	*p = out
	return nil
}

// refScanner reads the tokens of an already-validated JSON array of arrays of numbers.
type refScanner struct {
	b []byte
	i int
}

func (s *refScanner) skip() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *refScanner) peek() byte {
	s.skip()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *refScanner) eat(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

func (s *refScanner) number() (float64, bool) {
	s.skip()
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			s.i++
			continue
		}
		break
	}
	if start == s.i {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(s.b[start:s.i]), 64)
	return f, err == nil
}
