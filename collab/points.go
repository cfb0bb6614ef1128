package collab

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

// UnmarshalJSON parses [[x,y],[x,y,p],…] for encoding/json, which reads exported
// elements (DecodeElement); client frames are read by wireReader.pointsPtr.
func (p *Points) UnmarshalJSON(data []byte) error {
	v := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(v) > 0 && v[0] == 'n': // null
		*p = nil
		return nil
	case len(v) == 0 || v[0] != '[':
		return errorf(EBadValue, "points must be an array of [x,y] or [x,y,pressure]")
	}
	if err := parsePoints(p, v, math.MaxInt); err != nil {
		return err
	}
	return nil
}

// parsePoints reads the array v, which is valid JSON, straight into *p, as float32
// triples. It refuses what is not a pair or triple of numbers, numbers that do not fit
// a float64, coordinates beyond MaxCoord and pressure outside [0,1], with the errors
// the encoding/json unmarshaler that read points first gave. maxPoints bounds the
// capacity it guesses.
func parsePoints(p *Points, v []byte, maxPoints int) *Error {
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
			return errorf(EBadValue, "point %d must be [x,y] or [x,y,pressure]", n)
		}
		var xyp [3]float64
		k := 0
		for v[i] != ']' {
			i = skipSpace(v, i+1) // past '[' or ','
			if c := v[i]; k == 3 || c != '-' && (c < '0' || c > '9') {
				return errorf(EBadValue, "point %d must be [x,y] or [x,y,pressure] of numbers", n)
			}
			f, end, ok := readNumber(v, i)
			if !ok {
				return errorf(EBadValue, "point %d must be [x,y] or [x,y,pressure] of numbers", n)
			}
			xyp[k] = f
			k++
			i = skipSpace(v, end)
		}
		if k < 2 || !finiteWithin(xyp[0], MaxCoord) || !finiteWithin(xyp[1], MaxCoord) {
			return errorf(EBadValue, "point %d needs x and y within ±%g", n, float64(MaxCoord))
		}
		pr := -1.0
		if k == 3 {
			if !finiteIn(xyp[2], 0, 1) {
				return errorf(EBadValue, "point %d: pressure must be 0-1", n)
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

// skipSpace returns the index of the first byte from i on that is not JSON whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// parseFloat returns the value of lit, a JSON number, with ok false where it does not
// fit a float64.
func parseFloat(lit []byte) (f float64, ok bool) {
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

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// exactPow10 are the powers of ten a float64 holds exactly.
var exactPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

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
