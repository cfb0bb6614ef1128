package wire

import (
	"bytes"
	"math"
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

// UnmarshalJSON parses [[x,y],[x,y,p],…] for encoding/json, which reads the frames the
// server stored; client frames are read by frameReader.points directly.
func (p *Points) UnmarshalJSON(data []byte) error {
	d := frameReader{b: data, maxPoints: math.MaxInt}
	d.ws()
	if d.peek() == 'n' { // null
		*p = nil
		return nil
	}
	if err := d.points(p); err != nil {
		return err
	}
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
		return Errorf(EBadValue, "points must be an array of [x,y] or [x,y,pressure]")
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
			return Errorf(EBadValue, "point %d must be [x,y] or [x,y,pressure]", n)
		}
		i++
		var v [3]float64
		k := 0
		for {
			i = skipSpace(b, i)
			if k == 3 || i >= len(b) || b[i] != '-' && !isDigit(b[i]) {
				return Errorf(EBadValue, "point %d must be [x,y] or [x,y,pressure] of numbers", n)
			}
			f, end, inRange, valid := parseNumber(b, i)
			if !valid {
				return d.syntax(end)
			}
			if !inRange {
				return Errorf(EBadValue, "point %d must be [x,y] or [x,y,pressure] of numbers", n)
			}
			v[k] = f
			k++
			if i = skipSpace(b, end); i < len(b) && b[i] == ']' {
				i++
				break
			}
			if i >= len(b) || b[i] != ',' {
				return Errorf(EBadValue, "point %d is malformed", n)
			}
			i++
		}
		if k < 2 || !finiteWithin(v[0], MaxCoord) || !finiteWithin(v[1], MaxCoord) {
			return Errorf(EBadValue, "point %d needs x and y within ±%g", n, float64(MaxCoord))
		}
		pr := -1.0
		if k == 3 {
			if !finiteIn(v[2], 0, 1) {
				return Errorf(EBadValue, "point %d: pressure must be 0-1", n)
			}
			pr = v[2]
		}
		out = append(out, float32(v[0]), float32(v[1]), float32(pr))
		if i = skipSpace(b, i); i < len(b) && b[i] == ']' {
			i++
			break
		}
		if i >= len(b) || b[i] != ',' {
			return Errorf(EBadValue, "points must be separated by commas")
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

// appendFloat32 appends the shortest decimal that reads back as f, exactly as
// strconv.AppendFloat(b, float64(f), 'g', -1, 32) does. Points drawn in a browser carry
// at most two decimals (pressure three), and for those it takes a quick way: formatting
// floats was a tenth of the server's CPU in the durable-write overload run.
//
// The quick way: with |f| < 8192, d = round(f·1000) is below 2²⁴, so float32(d)/1000
// (float32 division, correctly rounded, as strconv's exact path parses "d/1000") is f
// exactly when the decimal d/1000 reads back as f. Float32s below 8192 are less than
// 0.0005 apart, so no other decimal of three or fewer places reads back as f: d/1000,
// without its trailing zeros, is the shortest. Zero (and -0) take strconv.
func appendFloat32(b []byte, f float32) []byte {
	if f != 0 && f > -8192 && f < 8192 {
		d := math.Round(float64(f) * 1000)
		if float32(d)/1000 == f {
			n := int64(d)
			if n < 0 {
				b = append(b, '-')
				n = -n
			}
			b = strconv.AppendInt(b, n/1000, 10)
			if frac := n % 1000; frac != 0 {
				digits := [4]byte{'.', byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
				end := 4
				for digits[end-1] == '0' {
					end--
				}
				b = append(b, digits[:end]...)
			}
			return b
		}
	}
	return strconv.AppendFloat(b, float64(f), 'g', -1, 32)
}
