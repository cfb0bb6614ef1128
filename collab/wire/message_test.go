package wire

import (
	"errors"
	"strings"
	"testing"
)

// hostileCases are frames the decoder must refuse, with the code, under hostileLimits.
// FuzzDecodeMatchesEncodingJSON starts from them too.
func hostileCases() []struct{ name, frame, code string } {
	pts := func(n int) string { return "[" + strings.TrimSuffix(strings.Repeat("[1,2],", n), ",") + "]" }
	rect := `{"id":"a","type":"rect","z":"a0"}`
	return []struct{ name, frame, code string }{
		{"NotJSON", `hello`, EBadJSON},
		{"Empty", ``, EBadJSON},
		{"Array", `[1,2]`, EBadJSON},
		{"TwoObjects", `{"t":"cursor","x":1,"y":1}{}`, EBadJSON},
		{"Garbage", "\x00\xff\xfe", EBadJSON},
		{"NoType", `{"x":1}`, EUnknownMessage},
		{"UnknownType", `{"t":"nuke"}`, EUnknownMessage},
		{"UnknownMessageField", `{"t":"cursor","x":1,"y":1,"evil":true}`, EUnknownField},
		{"FutureVersion", `{"t":"hello","v":99}`, EBadMessage},
		{"NegativeSince", `{"t":"hello","since":-1}`, EBadMessage},
		{"NoCID", `{"t":"ops","ops":[{"o":"put","el":` + rect + `}]}`, EBadMessage},
		{"BadCID", `{"t":"ops","cid":"a b","ops":[{"o":"put","el":` + rect + `}]}`, EBadMessage},
		{"EmptyBatch", `{"t":"ops","cid":"c","ops":[]}`, ETooManyOps},
		{"BatchTooBig", `{"t":"ops","cid":"c","ops":[{"o":"del","id":"a"},{"o":"del","id":"a"},{"o":"del","id":"a"},{"o":"del","id":"a"}]}`, ETooManyOps},
		{"UnknownOp", `{"t":"ops","cid":"c","ops":[{"o":"drop","id":"a"}]}`, EBadOp},
		{"PutWithoutEl", `{"t":"ops","cid":"c","ops":[{"o":"put"}]}`, EBadOp},
		{"PatchWithoutSet", `{"t":"ops","cid":"c","ops":[{"o":"patch","id":"a"}]}`, EBadOp},
		{"PatchID", `{"t":"ops","cid":"c","ops":[{"o":"patch","id":"a","set":{"id":"b"}}]}`, EBadOp},
		{"PatchType", `{"t":"ops","cid":"c","ops":[{"o":"patch","id":"a","set":{"type":"text"}}]}`, EBadOp},
		{"PatchVersion", `{"t":"ops","cid":"c","ops":[{"o":"patch","id":"a","set":{"v":9}}]}`, EUnknownField},
		{"UnknownElementField", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"rect","z":"a0","onload":"x"}}]}`, EUnknownField},
		{"UnknownElementType", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"script","z":"a0"}}]}`, EBadValue},
		{"LongID", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"` + strings.Repeat("a", 33) + `","type":"rect","z":"a0"}}]}`, EBadValue},
		{"IDWithSlash", `{"t":"ops","cid":"c","ops":[{"o":"del","id":"../x"}]}`, EBadOp},
		{"HugeCoordinate", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"rect","z":"a0","x":1e9}}]}`, EBadValue},
		{"OverflowingNumber", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"rect","z":"a0","x":1e400}}]}`, EBadValue},
		{"StringCoordinate", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"rect","z":"a0","x":"NaN"}}]}`, EBadValue},
		{"HugeAngle", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"rect","z":"a0","angle":100}}]}`, EBadValue},
		{"TooManyPoints", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"stroke","z":"a0","points":` + pts(6) + `}}]}`, ETooManyPoints},
		{"PointNotPair", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"stroke","z":"a0","points":[[1]]}}]}`, EBadValue},
		{"PointQuad", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"stroke","z":"a0","points":[[1,2,0.5,4]]}}]}`, EBadValue},
		{"PointString", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"stroke","z":"a0","points":[["1",2]]}}]}`, EBadValue},
		{"PointsObject", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"stroke","z":"a0","points":{"a":1}}}]}`, EBadValue},
		{"PointHuge", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"stroke","z":"a0","points":[[1e300,2]]}}]}`, EBadValue},
		{"PressureAboveOne", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"stroke","z":"a0","points":[[1,2,3]]}}]}`, EBadValue},
		{"TextTooLong", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"text","z":"a0","text":"01234567890"}}]}`, ETextTooLong},
		{"PatchTextTooLong", `{"t":"ops","cid":"c","ops":[{"o":"patch","id":"a","set":{"text":"01234567890"}}]}`, ETextTooLong},
		{"ColourInjection", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"rect","z":"a0","stroke":"red\" onload=\"x"}}]}`, EBadValue},
		{"NamedColour", `{"t":"ops","cid":"c","ops":[{"o":"patch","id":"a","set":{"fill":"red"}}]}`, EBadValue},
		{"BadDash", `{"t":"ops","cid":"c","ops":[{"o":"patch","id":"a","set":{"dash":"wavy"}}]}`, EBadValue},
		{"NegativeWidth", `{"t":"ops","cid":"c","ops":[{"o":"patch","id":"a","set":{"width":-1}}]}`, EBadValue},
		{"OpacityAboveOne", `{"t":"ops","cid":"c","ops":[{"o":"patch","id":"a","set":{"opacity":2}}]}`, EBadValue},
		{"BadZ", `{"t":"ops","cid":"c","ops":[{"o":"patch","id":"a","set":{"z":"a b"}}]}`, EBadValue},
		{"EmptyZ", `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"rect"}}]}`, EBadValue},
		{"BadSrc", `{"t":"ops","cid":"c","ops":[{"o":"patch","id":"a","set":{"src":"javascript:alert(1)"}}]}`, EBadValue},
		{"BadBinding", `{"t":"ops","cid":"c","ops":[{"o":"patch","id":"a","set":{"startBind":"<x>"}}]}`, EBadValue},
		{"CursorWithoutY", `{"t":"cursor","x":1}`, EBadValue},
		{"CursorFarAway", `{"t":"cursor","x":1,"y":1e12}`, EBadValue},
		{"PreviewBad", `{"t":"preview","el":{"id":"a","type":"rect"}}`, EBadValue},
		{"PreviewNothing", `{"t":"preview"}`, EBadMessage},
		{"EmptyTitle", `{"t":"title","title":"  \u0007 "}`, EBadValue},
		{"LongTitle", `{"t":"title","title":"` + strings.Repeat("x", 201) + `"}`, EBadValue},
		{"NoTitle", `{"t":"title"}`, EBadMessage},
	}
}

// hostileLimits are small, so that the limits are easy to pass.
func hostileLimits() Limits {
	lim := DefaultLimits
	lim.MaxPoints = 5
	lim.MaxText = 10
	lim.MaxBatch = 3
	return lim
}

func TestDecodeMessageRefusesHostileInput(t *testing.T) {
	lim := hostileLimits()
	tests := hostileCases()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeMessage([]byte(tt.frame), &lim)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want an *Error with code %s", err, tt.code)
			}
			if e.Code != tt.code {
				t.Fatalf("got code %s (%s), want %s", e.Code, e.Msg, tt.code)
			}
			if e.Msg == "" || strings.Contains(e.Msg, "json:") || strings.Contains(e.Msg, "collab.") {
				t.Fatalf("message %q should name the problem without Go internals", e.Msg)
			}
		})
	}
}

func TestDecodeMessageAcceptsValidInput(t *testing.T) {
	lim := DefaultLimits
	m, err := DecodeMessage([]byte(`{"t":"ops","cid":"k1-2","ops":[
		{"o":"put","el":{"id":"s1","type":"stroke","x":1.5,"y":-2,"points":[[0,0],[1,2,0.5]],"stroke":"#1e1e1e","width":2,"z":"a0","v":7,"by":"x","at":5}},
		{"o":"patch","id":"s1","set":{"x":3,"deleted":false,"text":"héllo\n<b>"}},
		{"o":"del","id":"s1"}]}`), &lim)
	if err != nil {
		t.Fatal(err)
	}
	if m.CID != "k1-2" || len(m.Ops) != 3 {
		t.Fatalf("got %+v", m)
	}
	el := m.Ops[0].El
	if el.Opacity != 1 {
		t.Errorf("opacity defaults to 1, got %v", el.Opacity)
	}
	if el.V != 0 || el.By != "" || el.At != 0 {
		t.Errorf("server fields sent by a client must be ignored, got v=%d by=%q at=%d", el.V, el.By, el.At)
	}
	if el.Points.Len() != 2 {
		t.Fatalf("got %d points", el.Points.Len())
	}
	if x, y, p := el.Points.At(1); x != 1 || y != 2 || p != 0.5 {
		t.Errorf("point 1 = %v,%v,%v", x, y, p)
	}
	if _, _, p := el.Points.At(0); p != -1 {
		t.Errorf("absent pressure should read -1, got %v", p)
	}
	h, err := DecodeMessage([]byte(`{"t":"hello","since":4,"name":"  <script>alert(1)</script>\u202e\u0000 ","color":"javascript:x"}`), &lim)
	if err != nil {
		t.Fatal(err)
	}
	if h.Name != "<script>alert(1)</script>" || h.Color != "" || h.Since != 4 {
		t.Errorf("hello cleaned to %+v", h)
	}
}

func TestCleanName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Ana  ", "Ana"},
		{"", "Anonymous"},
		{"\u0000\u0007", "Anonymous"},
		{strings.Repeat("é", 50), strings.Repeat("é", MaxName)},
		{"a\u202eb", "ab"},
	}
	for _, tt := range tests {
		if got := CleanName(tt.in); got != tt.want {
			t.Errorf("CleanName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
