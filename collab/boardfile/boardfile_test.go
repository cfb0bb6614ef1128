package boardfile

import (
	"bytes"
	"compress/gzip"
	"os"
	"slices"
	"strings"
	"testing"

	"tabula/collab/board"
	"tabula/collab/wire"
)

var lim = wire.DefaultLimits

const maxBytes = 1 << 20

func TestZKeysAscendLikeTheBoardPage(t *testing.T) {
	keys := zKeys(5000)
	if keys[0] != "a0" || keys[1] != "a1" || keys[61] != "az" || keys[62] != "b00" || keys[63] != "b01" {
		t.Fatalf("keys start %v … %v", keys[:3], keys[60:64])
	}
	if !slices.IsSorted(keys) {
		t.Fatal("keys are not ascending")
	}
	if keys[62+62*62] != "c000" {
		t.Fatalf("key %d is %s, want c000", 62+62*62, keys[62+62*62])
	}
}

func TestTabulaRoundTrip(t *testing.T) {
	in := Board{Title: `Plan "Q3" </script>`, Images: map[string][]byte{"sha256:" + strings.Repeat("0", 64): []byte("not checked here")}}
	for _, raw := range []string{
		`{"id":"a","type":"stroke","x":1.5,"y":-2,"points":[[0,0],[3,4,0.5]],"stroke":"#e03131","width":4,"opacity":1,"z":"a0"}`,
		`{"id":"b","type":"note","x":10,"y":20,"w":100,"h":80,"text":"line\nbreak ✓","fill":"#fff3bf","opacity":0.5,"z":"a1","group":"g1"}`,
		`{"id":"c","type":"image","w":10,"h":10,"src":"sha256:` + strings.Repeat("0", 64) + `","opacity":1,"z":"a2"}`,
		`{"id":"d","type":"arrow","x":5,"y":6,"points":[[0,0],[40,30],[80,0]],"stroke":"#1971c2","width":2,"opacity":1,"endArrow":"triangle","curve":"round","startBind":"b","z":"a3"}`,
		`{"id":"e","type":"line","points":[[0,0],[40,30]],"stroke":"#1971c2","opacity":1,"curve":"sharp","z":"a4"}`,
	} {
		e, err := wire.DecodeElement([]byte(raw), &lim)
		if err != nil {
			t.Fatal(err)
		}
		in.Elements = append(in.Elements, e)
	}
	var first bytes.Buffer
	if err := Encode(&first, in); err != nil {
		t.Fatal(err)
	}
	out, err := Decode(first.Bytes(), maxBytes, &lim)
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, first.Bytes())
	}
	var second bytes.Buffer
	if err := Encode(&second, out); err != nil {
		t.Fatal(err)
	}
	if first.String() != second.String() {
		t.Fatalf("export → import → export differs:\n%s\n%s", first.Bytes(), second.Bytes())
	}
}

// TestTabulaCurve: the curve of lines and arrows is in the file, and a version 1 file,
// written before curves existed, still imports.
func TestTabulaCurve(t *testing.T) {
	e, err := wire.DecodeElement([]byte(`{"id":"d","type":"arrow","points":[[0,0],[40,30],[80,0]],"curve":"round","z":"a0"}`), &lim)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Encode(&out, Board{Title: "t", Elements: []*wire.Element{e}}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), `{"type":"tabula","version":4,`) || !strings.Contains(out.String(), `"curve":"round"`) {
		t.Fatalf("export: %s", out.Bytes())
	}
	back, err := Decode(out.Bytes(), maxBytes, &lim)
	if err != nil || len(back.Elements) != 1 || back.Elements[0].Curve != "round" {
		t.Fatalf("import: %v %+v", err, back.Elements)
	}
	old := `{"type":"tabula","version":1,"title":"Old","elements":[{"id":"l","type":"line","points":[[0,0],[40,30],[80,0]],"opacity":1,"z":"a0","v":0}],"images":{}}`
	b, err := Decode([]byte(old), maxBytes, &lim)
	if err != nil || len(b.Elements) != 1 || b.Elements[0].Curve != "" || b.Elements[0].Points.Len() != 3 {
		t.Fatalf("a version 1 file: %v %+v", err, b.Elements)
	}
	for _, bad := range []string{`"curvy"`, `1`, `null`} {
		file := `{"type":"tabula","version":2,"elements":[{"id":"l","type":"line","z":"a0","curve":` + bad + `}]}`
		_, err := Decode([]byte(file), maxBytes, &lim)
		if bad == `null` {
			if err != nil {
				t.Fatalf("curve null (absent): %v", err)
			}
			continue
		}
		if wire.ErrorCode(err) != wire.EBadValue || !strings.Contains(wire.ErrorMessage(err), "curve") {
			t.Fatalf("curve %s: %v, want an error naming the field", bad, err)
		}
	}
}

// TestExcalidrawRoundness: Excalidraw's roundness on lines and arrows (and the older
// strokeSharpness) becomes curve "round"; null, sharp and elbow arrows stay straight.
func TestExcalidrawRoundness(t *testing.T) {
	el := func(id, typ, extra string) string {
		return `{"id":"` + id + `","type":"` + typ + `","x":0,"y":0,"width":100,"height":50,"points":[[0,0],[50,50],[100,0]],"strokeColor":"#1e1e1e"` + extra + `}`
	}
	file := `{"type":"excalidraw","version":2,"elements":[` + strings.Join([]string{
		el("curvedArrow", "arrow", `,"roundness":{"type":2}`),
		el("curvedLine", "line", `,"roundness":{"type":2}`),
		el("sharpArrow", "arrow", `,"roundness":null`),
		el("plainLine", "line", ``),
		el("legacyRound", "arrow", `,"strokeSharpness":"round"`),
		el("legacySharp", "line", `,"strokeSharpness":"sharp"`),
		el("elbow", "arrow", `,"roundness":{"type":2},"elbowed":true`),
		el("roundRect", "rectangle", `,"roundness":{"type":3}`),
	}, ",") + `]}`
	b, err := Decode([]byte(file), maxBytes, &lim)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"curvedArrow": "round", "curvedLine": "round", "sharpArrow": "", "plainLine": "",
		"legacyRound": "round", "legacySharp": "", "elbow": "", "roundRect": ""}
	if len(b.Elements) != len(want) {
		t.Fatalf("%d elements imported", len(b.Elements))
	}
	for _, e := range b.Elements {
		if e.Curve != want[e.ID] {
			t.Errorf("%s (%s): curve %q, want %q", e.ID, e.Type, e.Curve, want[e.ID])
		}
	}
}

func TestExcalidrawSample(t *testing.T) {
	data, err := os.ReadFile("testdata/sample.excalidraw")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Decode(data, maxBytes, &lim)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*wire.Element{}
	types := map[string]int{}
	for _, e := range b.Elements {
		byID[e.ID] = e
		types[e.Type]++
	}
	for _, typ := range []string{"rect", "ellipse", "diamond", "line", "arrow", "stroke", "text", "image"} {
		if types[typ] == 0 {
			t.Errorf("no %s imported: %v", typ, types)
		}
	}
	if e := byID["frame-1"]; e == nil || e.Type != "frame" || e.Text != "A frame" {
		t.Errorf("the frame was not imported as a frame: %+v", e)
	}
	if e := byID["gone-1"]; e == nil || !e.Deleted {
		t.Errorf("the deleted rectangle should come in as a tombstone: %+v", e)
	}
	if e := byID["rect-1"]; e.Fill != "#a5d8ff" || e.FillStyle != "hatch" || e.W != 200 || e.H != 120 {
		t.Errorf("rectangle %+v", e)
	}
	if e := byID["ellipse-1"]; e.Dash != "dashed" || e.Opacity != 0.6 || e.FillStyle != "solid" {
		t.Errorf("ellipse %+v", e)
	}
	if e := byID["diamond-1"]; e.Angle != 0.5 || e.Dash != "dotted" || e.Group == "" || e.Group != byID["line-1"].Group {
		t.Errorf("diamond %+v", e)
	}
	if e := byID["arrow-1"]; e.StartBind != "rect-1" || e.EndBind != "ellipse-1" || e.EndArrow != "triangle" || e.StartArrow != "none" {
		t.Errorf("arrow %+v", e)
	}
	if e := byID["freedraw-1"]; e.Points.Len() != 5 || e.Stroke != "#e03131" {
		t.Errorf("freedraw %+v", e)
	} else if _, _, p := e.Points.At(2); p != 0.7 {
		t.Errorf("freedraw pressure %v, want 0.7", p)
	}
	if e := byID["text-1"]; e.Text != "Hello from\nExcalidraw" || e.Font != "hand" || e.Align != "center" || e.Size != 20 {
		t.Errorf("text %+v", e)
	}
	img := byID["image-1"]
	if img == nil || b.Images[img.Src] == nil || !bytes.HasPrefix(b.Images[img.Src], []byte("\x89PNG")) {
		t.Fatalf("image %+v, images %d", img, len(b.Images))
	}
	var zs []string
	for _, e := range b.Elements {
		zs = append(zs, e.Z)
	}
	if !slices.IsSorted(zs) || zs[0] != "a0" {
		t.Errorf("z keys do not keep Excalidraw's order: %v", zs)
	}
}

func TestBadFiles(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write([]byte(`{"type":"tabula","version":1,"title":"`))
	zw.Write(bytes.Repeat([]byte("a"), 4*maxBytes))
	zw.Close()
	many := `{"type":"tabula","version":1,"elements":[` + strings.Repeat(`{"id":"a","type":"rect","z":"a"},`, 2*lim.MaxElements) + `{"id":"a","type":"rect","z":"a"}]}`
	for _, c := range []struct {
		name, file, code, msg string
	}{
		{"NotJSON", "PK\x03\x04 a zip file", wire.EBadValue, "not JSON"},
		{"NotAnObject", `[1,2,3]`, wire.EBadValue, "not JSON"},
		{"SomeOtherJSON", `{"hello":"world"}`, wire.EBadValue, "not a Tabula or Excalidraw"},
		{"FutureVersion", `{"type":"tabula","version":5,"elements":[]}`, wire.EBadValue, "newer Tabula"},
		{"FutureExcalidraw", `{"type":"excalidraw","version":3,"elements":[]}`, wire.EBadValue, "format 3"},
		{"NoVersion", `{"type":"tabula","elements":[]}`, wire.EBadValue, "version"},
		{"UnknownField", `{"type":"tabula","version":1,"elements":[],"owner":"x"}`, wire.EBadValue, "Tabula format"},
		{"BadElement", `{"type":"tabula","version":1,"elements":[{"id":"a","type":"rect","z":"a","stroke":"red\" onload=\"x"}]}`, wire.EBadValue, "element 1"},
		{"Huge", `{"type":"tabula","version":1,"title":"` + strings.Repeat("a", maxBytes) + `"}`, wire.ETooBig, "larger than"},
		{"ZipBomb", bomb.String(), wire.ETooBig, "unpacks to more than"},
		{"ThousandsOverTheCap", many, wire.ETooManyElements, "at most"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode([]byte(c.file), maxBytes*2, &lim)
			if c.name == "Huge" {
				_, err = Decode([]byte(c.file), maxBytes, &lim)
			}
			if c.name == "ThousandsOverTheCap" {
				_, err = Decode([]byte(c.file), len(c.file), &lim)
			}
			if wire.ErrorCode(err) != c.code || !strings.Contains(wire.ErrorMessage(err), c.msg) {
				t.Fatalf("got %v, want %s mentioning %q", err, c.code, c.msg)
			}
		})
	}
}

// FuzzDecode feeds arbitrary files to the importer: it must never panic, and whatever
// it accepts must be elements that pass the protocol's checks.
func FuzzDecode(f *testing.F) {
	sample, _ := os.ReadFile("testdata/sample.excalidraw")
	f.Add(sample)
	f.Add([]byte(`{"type":"tabula","version":1,"title":"t","elements":[{"id":"a","type":"stroke","points":[[0,0],[1,2,0.5]],"z":"a0"}],"images":{}}`))
	f.Add([]byte(`{"type":"tabula","version":2,"elements":[{"id":"a","type":"arrow","points":[[0,0],[5,9],[10,0]],"curve":"round","z":"a0"}]}`))
	f.Add([]byte(`{"type":"excalidraw","version":2,"elements":[{"id":"l","type":"line","points":[[0,0],[5,9]],"roundness":{"type":2}},{"id":"m","type":"arrow","points":[[0,0],[5,9]],"roundness":7,"elbowed":true}]}`))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Decode(data, 1<<20, &lim)
		if err != nil {
			if wire.ErrorCode(err) == wire.EInternal {
				t.Fatalf("an unexplained error: %v", err)
			}
			return
		}
		for _, e := range b.Elements {
			if err := e.Validate(&lim); err != nil {
				t.Fatalf("accepted an invalid element: %v", err)
			}
		}
	})
}

// TestExcalidrawFrames imports Excalidraw frames as frames (their name as the frame's
// text) and frameId as membership; a member of a frame the file does not hold (or holds
// deleted) comes in outside any frame, and the whole file applies to a board.
func TestExcalidrawFrames(t *testing.T) {
	data, err := os.ReadFile("testdata/frames.excalidraw")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Decode(data, maxBytes, &lim)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*wire.Element{}
	for _, e := range b.Elements {
		byID[e.ID] = e
	}
	for _, tt := range []struct{ id, typ, frame, text string }{
		{"frame-a", "frame", "", "Intro"},
		{"frame-b", "frame", "", ""},
		{"r-in-1", "rect", "frame-a", ""},
		{"t-in-2", "text", "frame-b", "Slide two"},
		{"orphan", "ellipse", "", ""},
		{"outside", "rect", "", ""},
	} {
		e := byID[tt.id]
		if e == nil || e.Type != tt.typ || e.Frame != tt.frame || e.Text != tt.text {
			t.Errorf("%s: got %+v, want type %s in frame %q with text %q", tt.id, e, tt.typ, tt.frame, tt.text)
		}
	}
	if e := byID["frame-a"]; e.W != 300 || e.H != 200 {
		t.Errorf("frame-a is %vx%v, want 300x200", e.W, e.H)
	}
	ops := make([]wire.Op, 0, len(b.Elements))
	for _, e := range b.Elements {
		ops = append(ops, wire.Op{Kind: wire.OpPut, ID: e.ID, El: e})
	}
	if _, err := board.NewState().Apply(ops, "import", 1, &lim); err != nil {
		t.Fatalf("the imported frames do not apply to a board: %v", err)
	}
}

// TestEncodeDropsMissingFrames writes a member whose frame the file lacks in no frame,
// so that exporting a selection (or a board whose frame was deleted) still imports.
func TestEncodeDropsMissingFrames(t *testing.T) {
	var out bytes.Buffer
	els := []*wire.Element{
		{ID: "f", Type: "frame", W: 10, H: 10, Opacity: 1, Z: "a0"},
		{ID: "in", Type: "rect", Frame: "f", Opacity: 1, Z: "a1"},
		{ID: "lost", Type: "rect", Frame: "gone", Opacity: 1, Z: "a2"},
	}
	if err := Encode(&out, Board{Title: "t", Elements: els}); err != nil {
		t.Fatal(err)
	}
	b, err := Decode(out.Bytes(), maxBytes, &lim)
	if err != nil {
		t.Fatal(err)
	}
	if b.Elements[1].Frame != "f" || b.Elements[2].Frame != "" || els[2].Frame != "gone" {
		t.Fatalf("members %+v %+v (and the original %+v)", b.Elements[1], b.Elements[2], els[2])
	}
}
