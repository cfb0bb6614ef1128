package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// FuzzDecodeMatchesEncodingJSON holds frameReader to the decoder it replaced
// (refDecodeMessage): for any frame both accept or both refuse, with the same code and
// message; a refusal names the same type and cid; and what both accept decodes to the
// same wire structs and the same Message. The one difference allowed is the one
// documented: a key that encoding/json matched to a field only by ignoring case is
// unknown now. Frames with such a key are checked to be refused, and nothing else is
// excused.
//
// The fuzzer starts from the test frames of up to 8 KiB: it would spend its time
// minimising what it finds from the larger ones (10,000 points, nesting at the depth
// limit, the largest SDP), which TestTestFramesMatchEncodingJSON checks instead.
func FuzzDecodeMatchesEncodingJSON(f *testing.F) {
	for _, frame := range testFrames(f) {
		if len(frame) <= 8<<10 {
			f.Add(frame)
		}
	}
	small := hostileLimits()
	f.Fuzz(func(t *testing.T, data []byte) {
		matchEncodingJSON(t, data, &DefaultLimits)
		matchEncodingJSON(t, data, &small)
	})
}

func TestTestFramesMatchEncodingJSON(t *testing.T) {
	small := hostileLimits()
	for _, frame := range testFrames(t) {
		matchEncodingJSON(t, frame, &DefaultLimits)
		matchEncodingJSON(t, frame, &small)
	}
}

func matchEncodingJSON(t *testing.T, data []byte, lim *Limits) {
	t.Helper()
	got, gotErr := DecodeMessage(data, lim)
	want, wantErr := refDecodeMessage(data, lim)
	if caseVariant(data) {
		if gotErr == nil {
			t.Fatalf("accepted %q, which has a key that is a field's name only ignoring case", data)
		}
		if isSyntaxError(wantErr) && !sameError(gotErr, wantErr) {
			t.Fatalf("%q: got %v, want the syntax error %v", data, gotErr, wantErr)
		}
		return
	}
	if !sameError(gotErr, wantErr) {
		t.Fatalf("%q:\n got error %v\nwant error %v", data, gotErr, wantErr)
	}
	if g, w := dump(got), dump(want); g != w {
		t.Fatalf("%q:\n got %s\nwant %s", data, g, w)
	}
	var gw wireMsg
	if err := gw.decode(data, lim); err == nil {
		ww, _ := refDecode(data)
		if g, w := dump(gw), dump(ww); g != w {
			t.Fatalf("%q decoded to\n %s\nwant\n %s", data, g, w)
		}
	}
}

func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var ea, eb *Error
	return errors.As(a, &ea) && errors.As(b, &eb) && *ea == *eb
}

// isSyntaxError reports whether err says the frame is not JSON at all.
func isSyntaxError(err error) bool {
	msg := ErrorMessage(err)
	return ErrorCode(err) == EBadJSON && (strings.HasPrefix(msg, "not valid JSON") || strings.Contains(msg, "cut short"))
}

// caseVariant reports whether the first JSON value of data has a key that
// encoding/json took for a field of the wire structs only by ignoring case ("T" for
// "t", "ſince" for "since"), where it would have looked for one.
func caseVariant(data []byte) bool {
	v, err := walkKeys(json.NewDecoder(bytes.NewReader(data)), keysMsg)
	return err == nil && v
}

type keyPlace int

const (
	keysNone keyPlace = iota
	keysMsg
	keysOps
	keysOp
	keysFields
)

var placeKeys = map[keyPlace]map[string]bool{
	keysMsg:    jsonNames(wireMsg{}),
	keysOp:     jsonNames(RawOp{}),
	keysFields: jsonNames(Fields{}),
}

func jsonNames(v any) map[string]bool {
	names := map[string]bool{}
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		names[t.Field(i).Tag.Get("json")] = true
	}
	return names
}

func walkKeys(dec *json.Decoder, place keyPlace) (bool, error) {
	tok, err := dec.Token()
	if err != nil {
		return false, err
	}
	switch tok {
	case json.Delim('{'):
		names := placeKeys[place]
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return false, err
			}
			key := tok.(string)
			if names != nil && !names[key] {
				for name := range names {
					if strings.EqualFold(name, key) {
						return true, nil
					}
				}
			}
			inner := keysNone
			switch {
			case place == keysMsg && key == "ops":
				inner = keysOps
			case place == keysMsg && key == "el", place == keysOp && (key == "el" || key == "set"):
				inner = keysFields
			}
			if v, err := walkKeys(dec, inner); v || err != nil {
				return v, err
			}
		}
		_, err = dec.Token()
		return false, err
	case json.Delim('['):
		inner := keysNone
		if place == keysOps {
			inner = keysOp
		}
		for dec.More() {
			if v, err := walkKeys(dec, inner); v || err != nil {
				return v, err
			}
		}
		_, err = dec.Token()
		return false, err
	}
	return false, nil
}

// dump writes v out in full: through pointers, nil apart from empty, -0 apart from 0,
// strings byte for byte.
func dump(v any) string {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(v))
	return b.String()
}

func dumpValue(b *strings.Builder, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		if v.Kind() == reflect.Pointer {
			b.WriteByte('&')
			dumpValue(b, v.Elem())
			return
		}
		b.WriteByte('[')
		for i := range v.Len() {
			dumpValue(b, v.Index(i))
			b.WriteByte(',')
		}
		b.WriteByte(']')
	case reflect.Struct:
		b.WriteString(v.Type().Name() + "{")
		for i := range v.NumField() {
			b.WriteString(v.Type().Field(i).Name + ":")
			dumpValue(b, v.Field(i))
			b.WriteByte(' ')
		}
		b.WriteByte('}')
	case reflect.String:
		b.WriteString(strconv.Quote(v.String()))
	case reflect.Float32, reflect.Float64:
		b.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case reflect.Int, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint8:
		b.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	default:
		panic("dump: " + v.Kind().String())
	}
}

// FuzzPointsMatchUnmarshaler holds Points.UnmarshalJSON, which reads the frames the
// server stored, to the unmarshaler it replaced, on the valid JSON encoding/json hands it.
func FuzzPointsMatchUnmarshaler(f *testing.F) {
	for _, s := range []string{`[]`, `null`, `[[1,2]]`, `[[1,2,0.5],[3,4]]`, `[ [ 1 , 2 ] , [3,4,1] ]`, `[[1e400,2]]`,
		`[[-0,0]]`, `[[1,2,3,4]]`, `[[1]]`, `[1,2]`, `{"a":1}`, `"x"`, `[[1,2],"x"]`, `[[[1,2]]]`, `[[1,"2"]]`, `[[1,2,-0.5]]`,
		`[[10000000,-1e7]]`, `[[10000000.000001,0]]`, `[[0.1,0.2,1],[1e-400,5E+3]]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		var got Points
		var want refPoints
		gotErr, wantErr := got.UnmarshalJSON(data), want.UnmarshalJSON(data)
		if !sameError(gotErr, wantErr) {
			t.Fatalf("%q: got error %v, want %v", data, gotErr, wantErr)
		}
		if g, w := dump(got), dump(Points(want)); gotErr == nil && g != w {
			t.Fatalf("%q: got %s, want %s", data, g, w)
		}
	})
}

// testFrames are the frames the fuzzers start from: every frame the tests of this
// package, of the server and of the load tool write out, the seeds, and hostile ones.
func testFrames(tb testing.TB) [][]byte {
	var out [][]byte
	add := func(s string) { out = append(out, []byte(s)) }
	for _, s := range decodeSeeds {
		add(s)
	}
	for _, s := range voiceSeeds {
		add(s)
	}
	for _, c := range hostileCases() {
		add(c.frame)
	}
	for _, c := range voiceCases() {
		add(c.in)
	}
	for _, c := range frameReaderCases() {
		add(c.frame)
	}
	for _, s := range literalFrames(tb) {
		add(s)
	}
	return out
}

// literalFrames are the string literals in the tests of collab (its service, board and
// wire), the end-to-end tests and the load tool that look like frames or parts of one.
func literalFrames(tb testing.TB) []string {
	var out []string
	for _, pattern := range []string{"*_test.go", "../*_test.go", "../board/*_test.go", "../../e2e/*_test.go", "../../internal/loadtest/*_test.go"} {
		files, err := filepath.Glob(pattern)
		if err == nil && len(files) == 0 {
			err = fmt.Errorf("no file matches %s: moved?", pattern)
		}
		if err != nil {
			tb.Fatal(err)
		}
		for _, name := range files {
			f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
			if err != nil {
				tb.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil && strings.Contains(s, `":`) {
						out = append(out, s)
					}
				}
				return true
			})
		}
	}
	if len(out) < 100 {
		tb.Fatalf("found only %d frames in the tests", len(out))
	}
	return out
}

type frameReaderCase struct {
	name, frame, code, msg string
}

// frameReaderCases are hostile and odd frames with what DecodeMessage answers (under
// hostileLimits): code "" for accepted, and a piece of the message.
func frameReaderCases() []frameReaderCase {
	pts := func(n int, p string) string {
		return "[" + strings.TrimSuffix(strings.Repeat(p+",", n), ",") + "]"
	}
	put := func(el string) string {
		return `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"stroke","z":"a0"` + el + `}}]}`
	}
	cursor := func(x string) string { return `{"t":"cursor","x":` + x + `,"y":1}` }
	name := func(s string) string { return `{"t":"hello","name":"` + s + `"}` }
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	return []frameReaderCase{
		// Syntax: refused whatever else is wrong, and nothing of the frame is kept.
		{"Empty", ``, EBadJSON, "empty or cut short"},
		{"Spaces", " \t\r\n", EBadJSON, "empty or cut short"},
		{"BOM", "\xef\xbb\xbf" + cursor("1"), EBadJSON, "at byte 1"},
		{"NUL", "\x00", EBadJSON, "at byte 1"},
		{"NULAfter", cursor("1") + "\x00", EBadJSON, "exactly one"},
		{"NULInString", name("a\x00b"), EBadJSON, "at byte 23"},
		{"UnterminatedString", `{"t":"hel`, EBadJSON, "cut short"},
		{"UnterminatedKey", `{"t`, EBadJSON, "cut short"},
		{"UnterminatedEscape", `{"t":"a\`, EBadJSON, "cut short"},
		{"ShortUnicodeEscape", `{"t":"\u12"}`, EBadJSON, "at byte 11"},
		{"BadEscape", `{"t":"\x41"}`, EBadJSON, "at byte 8"},
		{"SingleQuotes", `{'t':'hello'}`, EBadJSON, "at byte 2"},
		{"TrailingComma", `{"t":"cursor","x":1,"y":1,}`, EBadJSON, "at byte 27"},
		{"MissingColon", `{"t" "hello"}`, EBadJSON, "at byte 6"},
		{"LeadingZero", cursor("01"), EBadJSON, "at byte 20"},
		{"LeadingZeroInteger", `{"t":"hello","since":007}`, EBadJSON, "at byte 23"},
		{"LeadingZeroSkipped", `{"t":"cursor","x":1,"y":1,"zz":[-00]}`, EBadJSON, "at byte 35"},
		{"ExponentSkipped", `{"t":"cursor","x":1,"y":1,"zz":[1e+]}`, EBadJSON, "at byte 36"},
		{"LeadingPlus", cursor("+1"), EBadJSON, "at byte 19"},
		{"BarePoint", cursor("1."), EBadJSON, "at byte 21"},
		{"PointFirst", cursor(".5"), EBadJSON, "at byte 19"},
		{"EmptyExponent", cursor("1e"), EBadJSON, "at byte 21"},
		{"Infinity", cursor("Infinity"), EBadJSON, "at byte 19"},
		{"NaN", cursor("NaN"), EBadJSON, "at byte 19"},
		{"Hex", cursor("0x10"), EBadJSON, "at byte 20"},
		{"MinusAlone", cursor("-"), EBadJSON, "at byte 20"},
		{"Tru", `{"t":"preview","id":"a","end":tru}`, EBadJSON, "at byte 34"},
		{"NULL", `{"t":NULL}`, EBadJSON, "at byte 6"},
		{"SyntaxAfterUnknownField", `{"t":"cursor","evil":1,"x":1,"y":1,}`, EBadJSON, "at byte 36"},
		{"SyntaxAfterBadPoints", put(`,"points":[[1]],"x":]`), EBadJSON, "at byte"},
		{"DeepInUnknownField", `{"t":"cursor","x":1,"y":1,"deep":` + deep(10000) + `}`, EBadJSON, "at byte 10033"},
		{"DeepButAllowed", `{"t":"cursor","x":1,"y":1,"deep":` + deep(9999) + `}`, EUnknownField, `unknown field "deep"`},
		{"DeepAtTop", deep(100000), EBadJSON, "at byte 10001"},
		{"DeepPoints", put(`,"points":` + deep(20000)), EBadJSON, "at byte"},
		{"TopLevelNumber", `12`, EBadJSON, "a message must be a JSON object"},
		{"TopLevelString", `"hello"`, EBadJSON, "a message must be a JSON object"},
		{"TopLevelArrayAndMore", `[1] x`, EBadJSON, "a message must be a JSON object"},
		{"TopLevelNull", `null`, EUnknownMessage, "no type"},
		{"TopLevelNullAndMore", `null null`, EBadJSON, "exactly one"},
		{"TrailingObject", cursor("1") + `{}`, EBadJSON, "exactly one"},
		{"TrailingBrace", cursor("1") + `}`, EBadJSON, "exactly one"},
		{"TrailingSpaces", cursor("1") + " \n\t\r", "", ""},

		// Keys: exact case, any escape, every field known.
		{"UpperCaseType", `{"T":"cursor","x":1,"y":1}`, EUnknownField, `unknown field "T"`},
		{"UpperCaseOps", `{"t":"ops","cid":"c","OPS":[]}`, EUnknownField, `unknown field "OPS"`},
		{"UpperCaseElementField", put(`,"X":1`), EUnknownField, `unknown field "X"`},
		{"LongS", `{"t":"hello","\u017fince":1}`, EUnknownField, `unknown field "ſince"`},
		{"EscapedKey", `{"\u0074":"cursor","\u0078":1,"y":1}`, "", ""},
		{"EscapedKeySurrogates", `{"t":"cursor","x":1,"y":1,"\ud83d\ude00":1}`, EUnknownField, `unknown field "😀"`},
		{"InvalidUTF8Key", "{\"t\":\"cursor\",\"x\":1,\"y\":1,\"\xff\":1}", EUnknownField, "unknown field \"\ufffd\""},
		{"UnknownFieldNamed", `{"t":"cursor","x":1,"y":1,"onload":"x"}`, EUnknownField, `unknown field "onload"`},
		{"UnknownOpField", `{"t":"ops","cid":"c","ops":[{"o":"del","id":"a","why":1}]}`, EUnknownField, `unknown field "why"`},
		{"FirstUnknownFieldNamed", `{"t":"cursor","a":1,"b":2,"x":1,"y":1}`, EUnknownField, `unknown field "a"`},

		// Types: the field is named by its path; t and cid are read on.
		{"TypeNumber", `{"t":5}`, EBadValue, "field t has the wrong type (number)"},
		{"CIDObject", `{"t":"ops","cid":{}}`, EBadValue, "field cid has the wrong type (object)"},
		{"OpsString", `{"t":"ops","cid":"c","ops":"all"}`, EBadValue, "field ops has the wrong type (string)"},
		{"OpNumber", `{"t":"ops","cid":"c","ops":[1]}`, EBadValue, "field ops has the wrong type (number)"},
		{"OpKindBool", `{"t":"ops","cid":"c","ops":[{"o":true}]}`, EBadValue, "field ops.o has the wrong type (bool)"},
		{"ElementArray", `{"t":"ops","cid":"c","ops":[{"o":"put","el":[]}]}`, EBadValue, "field ops.el has the wrong type (array)"},
		{"SetXString", `{"t":"ops","cid":"c","ops":[{"o":"patch","id":"a","set":{"x":"1"}}]}`, EBadValue, "field ops.set.x has the wrong type (string)"},
		{"PreviewX", `{"t":"preview","el":{"x":true}}`, EBadValue, "field el.x has the wrong type (bool)"},
		{"Overflow", cursor("1e400"), EBadValue, "field x has the wrong type (number 1e400)"},
		{"NegativeOverflow", cursor("-123456789e999"), EBadValue, "(number -123456789e999)"},
		{"SinceFraction", `{"t":"hello","since":1.5}`, EBadValue, "field since has the wrong type (number 1.5)"},
		{"SinceExponent", `{"t":"hello","since":1e3}`, EBadValue, "(number 1e3)"},
		{"SinceHuge", `{"t":"hello","since":99999999999999999999}`, EBadValue, "(number 99999999999999999999)"},
		{"VersionHuge", `{"t":"hello","v":-99999999999999999999}`, EBadValue, "field v has the wrong type"},
		{"ServerVersionFraction", put(`,"v":1.5`), EBadValue, "field ops.el.v has the wrong type (number 1.5)"},
		{"FirstTypeErrorNamed", `{"t":"ops","cid":1,"ops":2}`, EBadValue, "field cid"},
		{"EndString", `{"t":"preview","end":"yes"}`, EBadValue, "field end has the wrong type (string)"},

		// Points stop the decoding, but syntax comes first.
		{"PointsString", put(`,"points":"[[1,2]]"`), EBadValue, "points must be an array"},
		{"PointsObject", put(`,"points":{}`), EBadValue, "points must be an array"},
		{"PointSingle", put(`,"points":[[1]]`), EBadValue, "point 0 needs x and y"},
		{"PointFour", put(`,"points":[[1,2],[1,2,0,0]]`), EBadValue, "point 1 must be [x,y] or [x,y,pressure] of numbers"},
		{"PointEmpty", put(`,"points":[[1,2],[]]`), EBadValue, "point 1 must be [x,y] or [x,y,pressure] of numbers"},
		{"PointNull", put(`,"points":[null]`), EBadValue, "point 0 must be [x,y] or [x,y,pressure]"},
		{"PointNotArray", put(`,"points":[1,2]`), EBadValue, "point 0 must be [x,y] or [x,y,pressure]"},
		{"PointOverflow", put(`,"points":[[1,1e400]]`), EBadValue, "of numbers"},
		{"PointsBeforeUnknown", put(`,"zz":1,"points":[[1]]`), EBadValue, "point 0"},
		{"TooManyPoints", put(`,"points":` + pts(11, "[1,2]")), ETooManyPoints, "11 points"},
		{"TenThousandPoints", put(`,"points":` + pts(10_000, "[1.5,-2.25,0.5]")), ETooManyPoints, "10000 points"},

		// Values.
		{"NegativeZero", cursor("-0"), "", ""},
		{"NegativeZeroPoint", put(`,"points":[[-0,-0.0,0]]`), "", ""},
		{"Exponents", cursor("1E+2"), "", ""},
		{"Tiny", cursor("1e-400"), "", ""},
		{"LongDigits", cursor("1.00000000000000000000000000000000000001"), "", ""},
		{"LoneHighSurrogate", name(`\ud800`), "", ""},
		{"LoneLowSurrogate", name(`\udc00x`), "", ""},
		{"SurrogateThenLetter", name(`\ud800\u0041`), "", ""},
		{"Surrogates", name(`\ud83d\ude00`), "", ""},
		{"InvalidUTF8", name("a\xffb\xc3"), "", ""},
		{"EncodedSurrogate", name("\xed\xa0\x80"), "", ""},
		{"EveryEscape", name(`\"\\\/\b\f\n\r\t\u00e9`), "", ""},
		{"InvalidUTF8TextReplaced", put(",\"text\":\"\xff\""), "", ""},

		// Duplicates and null: as encoding/json took them.
		{"DuplicateTypeLastWins", `{"t":"hello","t":"cursor","x":1,"y":1}`, "", ""},
		{"DuplicateNullKeeps", `{"t":"cursor","t":null,"x":1,"y":1}`, "", ""},
		{"DuplicateXNull", `{"t":"cursor","x":1,"x":null,"y":1}`, EBadValue, "cursor needs x and y"},
		{"DuplicateElementsMerge", `{"t":"preview","el":{"id":"a","z":"a"},"el":{"type":"rect"}}`, "", ""},
		{"DuplicateOpsMerge", `{"t":"ops","cid":"c","ops":[{"o":"del","id":"a"},{"o":"del","id":"b"}],"ops":[{"id":"c"}],"ops":[{},{}]}`, "", ""},
		{"DuplicateOpsEmptied", `{"t":"ops","cid":"c","ops":[{"o":"del","id":"a"}],"ops":[]}`, ETooManyOps, "has 0"},
		{"DuplicatePoints", put(`,"points":[[1,2]],"points":[[3,4],[5,6]]`), "", ""},
		{"NullEverywhere", `{"t":"ops","cid":"c","v":null,"since":null,"name":null,"ops":[{"o":"put","id":null,"set":null,"el":{"id":"a","type":"rect","z":"a0","x":null,"points":null,"locked":null,"v":null,"by":null,"at":null,"text":null}},null],"x":null,"el":null,"end":null,"muted":null}`, EBadOp, "unknown op"},
		{"NullOps", `{"t":"ops","cid":"c","ops":null}`, ETooManyOps, "has 0"},
		{"NullTitle", `{"t":"title","title":null}`, EBadMessage, "needs a title"},
		{"DuplicateTitleNull", `{"t":"title","title":"Plan","title":null}`, EBadMessage, "needs a title"},
		{"DuplicateStrokeNull", put(`,"stroke":"red","stroke":null`), "", ""},
		{"DuplicateLockedNull", put(`,"locked":true,"locked":null,"v":1,"v":null,"x":1,"x":null`), "", ""},
		{"DuplicateElementNull", `{"t":"preview","el":{"id":"a","type":"rect","z":"a"},"el":null}`, EBadMessage, "needs el or end"},
	}
}

// TestFrameReaderCases checks frameReaderCases, and that encoding/json answered them
// the same, except for the keys that differ only in case.
func TestFrameReaderCases(t *testing.T) {
	lim := hostileLimits()
	lim.MaxPoints = 10
	for _, c := range frameReaderCases() {
		t.Run(c.name, func(t *testing.T) {
			data := []byte(c.frame)
			m, err := DecodeMessage(data, &lim)
			if got := ""; err != nil {
				got = ErrorCode(err)
				if got != c.code || !strings.Contains(ErrorMessage(err), c.msg) {
					t.Fatalf("got %s %q, want %s mentioning %q", got, ErrorMessage(err), c.code, c.msg)
				}
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("%v is not an *Error", err)
				}
				if c.code == EBadJSON && isSyntaxError(err) && (m.Type != "" || m.CID != "") {
					t.Fatalf("a frame that is not JSON named %+v", m)
				}
			} else if c.code != "" {
				t.Fatalf("accepted as %+v, want %s", m, c.code)
			}
			if !caseVariant(data) {
				matchEncodingJSON(t, data, &lim)
			}
		})
	}
}

// TestFrameReaderValues checks what some odd but valid frames decode to.
func TestFrameReaderValues(t *testing.T) {
	lim := DefaultLimits
	decode := func(frame string) *Message {
		t.Helper()
		m, err := DecodeMessage([]byte(frame), &lim)
		if err != nil {
			t.Fatalf("%s: %v", frame, err)
		}
		return m
	}
	if m := decode(`{"t":"cursor","x":-0,"y":1E+2}`); strconv.FormatFloat(m.X, 'g', -1, 64) != "-0" || m.Y != 100 {
		t.Errorf("x, y = %v, %v", m.X, m.Y)
	}
	for _, c := range []struct{ in, want string }{
		{`\ud800`, "\ufffd"},
		{`\ud800\u0041`, "\ufffdA"},
		{`\ud83d\ude00!`, "😀!"},
		{`\u00e9\u0041`, "éA"},
		{"a\xffb", "a\ufffdb"},
		{"\xed\xa0\x80", "\ufffd\ufffd\ufffd"},
		{`\"\\\/`, `"\/`},
	} {
		m := decode(`{"t":"ops","cid":"c","ops":[{"o":"patch","id":"a","set":{"text":"` + c.in + `"}}]}`)
		if got := *m.Ops[0].Set.Text; got != c.want {
			t.Errorf("text %s decoded to %q, want %q", c.in, got, c.want)
		}
	}
	m := decode(`{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"line","z":"a","points":[ [1, 2] , [3,4,0.25] ]}}],"ops":[{"el":{"x":5}}]}`)
	if e := m.Ops[0].El; e.X != 5 || e.Points.Len() != 2 || e.Type != "line" {
		t.Errorf("a repeated ops merged into %+v, want x 5 and the first element's points", e)
	}
	m = decode(`{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"stroke","z":"a","points":` + strings.Repeat("[[1,2]", 1) + strings.Repeat(",[1,2]", 9_999) + `]}}]}`)
	if n := m.Ops[0].El.Points.Len(); n != 10_000 || cap(m.Ops[0].El.Points) != 30_000 {
		t.Errorf("10,000 points stored in %d (capacity %d floats)", n, cap(m.Ops[0].El.Points))
	}
}

// TestFloatMatchesStrconv checks frameReader.float against strconv.ParseFloat, bit for
// bit, and num against JSON's number grammar.
func TestFloatMatchesStrconv(t *testing.T) {
	lits := []string{"0", "-0", "0.0", "-0.0", "1", "-1", "0.1", "0.2", "0.3", "123.45", "-987654.321",
		"999999999999999", "9999999999999999", "0.000001", "1.7976931348623157e308", "1.8e308", "4.9e-324",
		"2e-324", "1e-400", "1e400", "1e22", "1e23", "123456789012345.6", "0.1234567890123456789",
		"9007199254740993", "0.0000000000000000000001", "0.00000000000000000000001", "10000000", "1E+2", "1e-2"}
	seed := uint64(1)
	rnd := func(n int) int { // xorshift, so the cases are the same every run
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return int(seed % uint64(n))
	}
	for range 200_000 {
		var b []byte
		for range 1 + rnd(24) {
			b = append(b, "0123456789-+.eE"[rnd(15)])
		}
		lits = append(lits, string(b))
		digits := func(n int) string {
			s := ""
			for range n {
				s += strconv.Itoa(rnd(10))
			}
			return s
		}
		lit := digits(1 + rnd(18))
		if rnd(2) == 0 {
			lit += "." + digits(1+rnd(24))
		}
		if rnd(4) == 0 {
			lit += "e" + strconv.Itoa(rnd(700)-350)
		}
		if rnd(2) == 0 {
			lit = "-" + lit
		}
		lits = append(lits, lit)
	}
	checked := 0
	for _, lit := range lits {
		valid := json.Valid([]byte(lit)) && lit[0] != ' '
		d := frameReader{b: []byte(lit)}
		f, ok, err := d.float()
		if (err == nil && d.i == len(lit)) != valid {
			t.Fatalf("%q: read %d bytes, err %v; JSON says valid=%v", lit, d.i, err, valid)
		}
		if !valid {
			continue
		}
		want, werr := strconv.ParseFloat(lit, 64)
		if ok != (werr == nil) || math.Float64bits(f) != math.Float64bits(want) {
			t.Fatalf("%q: got %v (ok %v), strconv gives %v (%v)", lit, f, ok, want, werr)
		}
		checked++
	}
	if checked < 200_000 {
		t.Fatalf("only %d valid literals checked", checked)
	}
}

// decodeSeeds start the fuzzers of the decoder (board.FuzzDecodeMessage has the same).
var decodeSeeds = []string{
	`{"t":"hello","since":3,"name":"Ana","color":"#abc"}`,
	`{"t":"ops","cid":"c1","ops":[{"o":"put","el":{"id":"a","type":"stroke","points":[[0,0,0.5],[1,2]],"z":"a0","text":"x\ny"}}]}`,
	`{"t":"ops","cid":"c2","ops":[{"o":"patch","id":"a","set":{"x":1,"fill":"#fff","deleted":false}},{"o":"del","id":"a"}]}`,
	`{"t":"ops","cid":"c3","ops":[{"o":"put","el":{"id":"l","type":"arrow","points":[[0,0],[5,9],[10,0]],"curve":"round","z":"a1"}},{"o":"patch","id":"l","set":{"curve":"sharp"}}]}`,
	`{"t":"cursor","x":1,"y":2}`,
	`{"t":"preview","el":{"id":"p","type":"rect","z":"a"}}`,
	`{"t":"title","title":"Plan"}`,
	`{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"rect","z":"a0","x":1e400}}]}`,
	"\x00\xff",
}
