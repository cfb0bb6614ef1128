package wire

import (
	"strconv"
	"unicode/utf8"
)

// The server writes its JSON by hand: every broadcast, welcome and snapshot is built by
// appending to a byte slice, which is several times faster than reflection and allocates
// nothing per field. encoding/json is used only to decode client input.

// AppendJSON appends e in wire form. Zero fields are omitted, except opacity.
func (e *Element) AppendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = AppendString(b, e.ID)
	b = append(b, `,"type":`...)
	b = AppendString(b, e.Type)
	b = appendNum(b, "x", e.X)
	b = appendNum(b, "y", e.Y)
	b = appendNum(b, "w", e.W)
	b = appendNum(b, "h", e.H)
	b = appendNum(b, "angle", e.Angle)
	if e.Points != nil {
		b = append(b, `,"points":`...)
		b = e.Points.appendJSON(b)
	}
	b = appendStr(b, "stroke", e.Stroke)
	b = appendStr(b, "fill", e.Fill)
	b = appendStr(b, "fillStyle", e.FillStyle)
	b = appendNum(b, "width", e.Width)
	b = append(b, `,"opacity":`...)
	b = strconv.AppendFloat(b, e.Opacity, 'g', -1, 64)
	b = appendStr(b, "dash", e.Dash)
	b = appendStr(b, "font", e.Font)
	b = appendNum(b, "size", e.Size)
	b = appendStr(b, "align", e.Align)
	b = appendStr(b, "text", e.Text)
	b = appendStr(b, "startArrow", e.StartArrow)
	b = appendStr(b, "endArrow", e.EndArrow)
	b = appendStr(b, "curve", e.Curve)
	b = appendStr(b, "startBind", e.StartBind)
	b = appendStr(b, "endBind", e.EndBind)
	b = appendStr(b, "src", e.Src)
	b = appendStr(b, "group", e.Group)
	b = appendStr(b, "frame", e.Frame)
	b = appendStr(b, "page", e.Page)
	if e.Locked {
		b = append(b, `,"locked":true`...)
	}
	b = appendStr(b, "z", e.Z)
	b = append(b, `,"v":`...)
	b = strconv.AppendInt(b, e.V, 10)
	if e.Deleted {
		b = append(b, `,"deleted":true`...)
	}
	b = appendStr(b, "by", e.By)
	if e.At != 0 {
		b = append(b, `,"at":`...)
		b = strconv.AppendInt(b, e.At, 10)
	}
	return append(b, '}')
}

// appendNum appends ,"key":v unless v is zero.
func appendNum(b []byte, key string, v float64) []byte {
	if v == 0 {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendStr appends ,"key":"v" unless v is empty.
func appendStr(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return AppendString(b, v)
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string. Control characters, quotes and backslashes are
// escaped; so are U+2028 and U+2029 (valid JSON, but not valid in older JavaScript), and
// invalid UTF-8 becomes U+FFFD so the output is always valid JSON.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendOps appends normalised ops in wire form.
func appendOps(b []byte, ops []Op) []byte {
	b = append(b, '[')
	for i := range ops {
		op := &ops[i]
		if i > 0 {
			b = append(b, ',')
		}
		switch op.Kind {
		case OpPut:
			b = append(b, `{"o":"put","el":`...)
			b = op.El.AppendJSON(b)
			b = append(b, '}')
			continue
		case OpPatch:
			b = append(b, `{"o":"patch","id":`...)
			b = AppendString(b, op.ID)
			b = append(b, `,"set":`...)
			b = op.Set.appendJSON(b)
		case OpDel:
			b = append(b, `{"o":"del","id":`...)
			b = AppendString(b, op.ID)
		}
		b = append(b, `,"v":`...)
		b = strconv.AppendInt(b, op.V, 10)
		b = append(b, '}')
	}
	return append(b, ']')
}

// OpsFrame encodes the broadcast of batch seq. The same bytes are the log entry.
func OpsFrame(seq int64, cid, by string, at int64, ops []Op) []byte {
	b := make([]byte, 0, 128+64*len(ops))
	b = append(b, `{"t":"ops","seq":`...)
	b = strconv.AppendInt(b, seq, 10)
	b = append(b, `,"cid":`...)
	b = AppendString(b, cid)
	b = append(b, `,"by":`...)
	b = AppendString(b, by)
	b = append(b, `,"at":`...)
	b = strconv.AppendInt(b, at, 10)
	b = append(b, `,"ops":`...)
	b = appendOps(b, ops)
	return append(b, '}')
}
