package collab

import (
	"strconv"
)

// Points are a polyline relative to its element's x,y, stored flat as float32 triples
// (x, y, pressure) with pressure -1 where the client sent none. float32 keeps a 10,000
// element board small (12 bytes a point instead of ~50 for [][]float64) and is far more
// precision than a screen shows. On the wire: [[x,y],[x,y,p],…].
type Points []float32

// Len is the number of points.
func (p Points) Len() int { return len(p) / 3 }

// At returns point i; pressure is -1 when absent.
func (p Points) At(i int) (x, y, pressure float32) { return p[3*i], p[3*i+1], p[3*i+2] }

// UnmarshalJSON parses [[x,y],[x,y,p],…]. encoding/json has already checked that data is
// valid JSON, so this only checks shape and ranges; it refuses NaN-free but huge numbers,
// coordinates beyond MaxCoord, pressure outside [0,1], and anything that is not a pair or
// triple of numbers.
func (p *Points) UnmarshalJSON(data []byte) error {
	s := scanner{b: data}
	if s.peek() == 'n' { // null
		*p = nil
		return nil
	}
	if !s.eat('[') {
		return errorf(EBadValue, "points must be an array of [x,y] or [x,y,pressure]")
	}
	out := make(Points, 0, 3*(len(data)/12+1))
	if s.eat(']') {
		*p = out
		return nil
	}
	for {
		if !s.eat('[') {
			return errorf(EBadValue, "point %d must be [x,y] or [x,y,pressure]", len(out)/3)
		}
		var v [3]float64
		n := 0
		for {
			f, ok := s.number()
			if !ok || n == 3 {
				return errorf(EBadValue, "point %d must be [x,y] or [x,y,pressure] of numbers", len(out)/3)
			}
			v[n] = f
			n++
			if s.eat(']') {
				break
			}
			if !s.eat(',') {
				return errorf(EBadValue, "point %d is malformed", len(out)/3)
			}
		}
		if n < 2 || !finiteWithin(v[0], MaxCoord) || !finiteWithin(v[1], MaxCoord) {
			return errorf(EBadValue, "point %d needs x and y within ±%g", len(out)/3, float64(MaxCoord))
		}
		pr := -1.0
		if n == 3 {
			if !finiteIn(v[2], 0, 1) {
				return errorf(EBadValue, "point %d: pressure must be 0-1", len(out)/3)
			}
			pr = v[2]
		}
		out = append(out, float32(v[0]), float32(v[1]), float32(pr))
		if s.eat(']') {
			break
		}
		if !s.eat(',') {
			return errorf(EBadValue, "points must be separated by commas")
		}
	}
	*p = out
	return nil
}

// appendJSON writes p in wire form.
func (p Points) appendJSON(b []byte) []byte {
	b = append(b, '[')
	for i := 0; i < len(p); i += 3 {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendFloat32(b, p[i])
		b = append(b, ',')
		b = appendFloat32(b, p[i+1])
		if p[i+2] >= 0 {
			b = append(b, ',')
			b = appendFloat32(b, p[i+2])
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

func appendFloat32(b []byte, f float32) []byte {
	return strconv.AppendFloat(b, float64(f), 'g', -1, 32)
}

// scanner reads the tokens of an already-validated JSON array of arrays of numbers.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) skip() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	s.skip()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) eat(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) number() (float64, bool) {
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
