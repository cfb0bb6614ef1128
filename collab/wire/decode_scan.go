package wire

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth is how deeply arrays and objects may nest in a frame: encoding/json's limit,
// kept so that what was refused before is refused now.
const maxDepth = 10000

// frameReader reads one client frame in a single pass: a byte scanner that checks JSON's
// grammar as it goes and fills wireMsg, RawOp, Fields and Points directly
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
		return Errorf(EBadJSON, "the frame is empty or cut short")
	}
	return Errorf(EBadJSON, "not valid JSON at byte %d", i+1)
}

// ws skips JSON whitespace.
func (d *frameReader) ws() { d.i = skipSpace(d.b, d.i) }

// skipSpace returns the index of the first byte from i on that is not JSON whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

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

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

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

// exactPow10 are the powers of ten a float64 holds exactly.
var exactPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

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
