package boardfile

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math"
	"strings"

	"tabula/collab/wire"
)

// An Excalidraw file (https://docs.excalidraw.com, "JSON Schema"): the fields read
// here, as Excalidraw writes them. Everything else is ignored.
type exFile struct {
	Type     string             `json:"type"`
	Version  int                `json:"version"`
	Elements []exElement        `json:"elements"`
	Files    map[string]exImage `json:"files"`
}

type exElement struct {
	ID               string          `json:"id"`
	Type             string          `json:"type"`
	X                float64         `json:"x"`
	Y                float64         `json:"y"`
	Width            float64         `json:"width"`
	Height           float64         `json:"height"`
	Angle            float64         `json:"angle"`
	StrokeColor      string          `json:"strokeColor"`
	BackgroundColor  string          `json:"backgroundColor"`
	FillStyle        string          `json:"fillStyle"`
	StrokeWidth      float64         `json:"strokeWidth"`
	StrokeStyle      string          `json:"strokeStyle"`
	Opacity          *float64        `json:"opacity"`
	GroupIDs         []string        `json:"groupIds"`
	IsDeleted        bool            `json:"isDeleted"`
	Locked           bool            `json:"locked"`
	Points           [][]float64     `json:"points"`
	Pressures        []float64       `json:"pressures"`
	SimulatePressure bool            `json:"simulatePressure"`
	StartArrowhead   *string         `json:"startArrowhead"`
	EndArrowhead     *string         `json:"endArrowhead"`
	StartBinding     *exBinding      `json:"startBinding"`
	EndBinding       *exBinding      `json:"endBinding"`
	Roundness        json.RawMessage `json:"roundness"`
	StrokeSharpness  string          `json:"strokeSharpness"`
	Elbowed          bool            `json:"elbowed"`
	Text             string          `json:"text"`
	FontSize         float64         `json:"fontSize"`
	FontFamily       int             `json:"fontFamily"`
	TextAlign        string          `json:"textAlign"`
	FileID           string          `json:"fileId"`
	FrameID          *string         `json:"frameId"`
	Name             *string         `json:"name"`
}

type exBinding struct {
	ElementID string `json:"elementId"`
}

type exImage struct {
	MimeType string `json:"mimeType"`
	DataURL  string `json:"dataURL"`
}

// Excalidraw's font families by number: 1 Virgil and 5 Excalifont are hand-drawn,
// 3 Cascadia and 8 Comic Shanns are monospaced, the rest sans-serif.
var exFonts = map[int]string{1: "hand", 2: "sans", 3: "mono", 5: "hand", 6: "sans", 7: "sans", 8: "mono"}

// Excalidraw's arrowheads by name; a head we cannot draw becomes the nearest we can.
var exHeads = map[string]string{
	"arrow": "arrow", "triangle": "triangle", "triangle_outline": "triangle", "dot": "dot",
	"circle": "dot", "circle_outline": "dot", "bar": "bar", "diamond": "triangle", "diamond_outline": "triangle",
}

func decodeExcalidraw(data []byte, lim *wire.Limits) (Board, error) {
	var f exFile
	if err := json.Unmarshal(data, &f); err != nil {
		return Board{}, bad("the Excalidraw file cannot be read: %s", shortJSONError(err))
	}
	if f.Version > 2 {
		return Board{}, bad("the Excalidraw file is format %d; this server reads format 2 and older", f.Version)
	}
	if len(f.Elements) > maxFileElements(lim) {
		return Board{}, tooMany(len(f.Elements), lim)
	}
	b := Board{Title: "Imported from Excalidraw", Images: map[string][]byte{}}
	srcs := map[string]string{} // Excalidraw file id → our src
	for id, img := range f.Files {
		data, ok := decodeDataURL(img.DataURL)
		if !ok {
			continue // an image we cannot read shows as a placeholder
		}
		sum := sha256.Sum256(data)
		src := "sha256:" + hex.EncodeToString(sum[:])
		b.Images[src] = data
		srcs[id] = src
	}
	ids := newIDs()
	zs := zKeys(len(f.Elements))
	for i, x := range f.Elements {
		e, ok := convert(&x, ids, srcs)
		if !ok {
			continue
		}
		e.Z = zs[i]
		if err := e.Validate(lim); err != nil {
			return Board{}, bad("element %d (%s): %s", i+1, x.Type, wire.ErrorMessage(err))
		}
		b.Elements = append(b.Elements, e)
	}
	keepFrames(b.Elements)
	// Keep only images that some element shows.
	used := map[string]bool{}
	for _, e := range b.Elements {
		used[e.Src] = true
	}
	for src := range b.Images {
		if !used[src] {
			delete(b.Images, src)
		}
	}
	return b, nil
}

// convert maps one Excalidraw element to ours; false for kinds Tabula has no
// counterpart of (embeds).
func convert(x *exElement, ids *idMap, srcs map[string]string) (*wire.Element, bool) {
	e := &wire.Element{ID: ids.get(x.ID), X: clampCoord(x.X), Y: clampCoord(x.Y), Opacity: 1, Deleted: x.IsDeleted, Locked: x.Locked}
	if x.Opacity != nil {
		e.Opacity = math.Max(0, math.Min(1, *x.Opacity/100))
	}
	e.Angle = math.Remainder(x.Angle, 2*math.Pi)
	if !(math.Abs(e.Angle) <= 2*math.Pi) {
		e.Angle = 0
	}
	e.Stroke = colour(x.StrokeColor)
	e.Width = math.Max(0, math.Min(wire.MaxWidth, x.StrokeWidth))
	switch x.StrokeStyle {
	case "dashed", "dotted":
		e.Dash = x.StrokeStyle
	}
	if x.FrameID != nil && *x.FrameID != "" {
		e.Frame = ids.get(*x.FrameID)
	}
	if len(x.GroupIDs) > 0 {
		e.Group = ids.get(x.GroupIDs[len(x.GroupIDs)-1]) // the outermost group
	}
	box := func() {
		e.W, e.H = clampCoord(x.Width), clampCoord(x.Height)
		if fill := colour(x.BackgroundColor); fill != "" {
			e.Fill = fill
			e.FillStyle = "hatch"
			if x.FillStyle == "solid" {
				e.FillStyle = "solid"
			}
		}
	}
	switch x.Type {
	case "rectangle":
		e.Type = "rect"
		box()
	case "ellipse", "diamond":
		e.Type = x.Type
		box()
	case "line", "arrow":
		e.Type = x.Type
		e.Points = points(x.Points, nil)
		e.StartArrow, e.EndArrow = head(x.StartArrowhead), head(x.EndArrowhead)
		if x.StartBinding != nil && x.StartBinding.ElementID != "" {
			e.StartBind = ids.get(x.StartBinding.ElementID)
		}
		if x.EndBinding != nil && x.EndBinding.ElementID != "" {
			e.EndBind = ids.get(x.EndBinding.ElementID)
		}
		if rounded(x) {
			e.Curve = "round"
		}
	case "freedraw":
		e.Type = "stroke"
		var pressures []float64
		if !x.SimulatePressure && len(x.Pressures) == len(x.Points) {
			pressures = x.Pressures
		}
		e.Points = points(x.Points, pressures)
	case "text":
		e.Type = "text"
		e.W, e.H = clampCoord(x.Width), clampCoord(x.Height)
		e.Text = x.Text
		e.Size = math.Max(0, math.Min(wire.MaxFontSize, x.FontSize))
		e.Font = exFonts[x.FontFamily]
		if e.Font == "" {
			e.Font = "sans"
		}
		switch x.TextAlign {
		case "center", "right":
			e.Align = x.TextAlign
		}
	case "frame", "magicframe":
		e.Type = "frame"
		e.W, e.H = clampCoord(x.Width), clampCoord(x.Height)
		if x.Name != nil {
			e.Text = clipRunes(*x.Name, wire.MaxFrameName)
		}
		e.Stroke, e.Frame = "", "" // a frame is never in a frame
	case "image":
		e.Type = "image"
		e.W, e.H = clampCoord(x.Width), clampCoord(x.Height)
		e.Src = srcs[x.FileID]
		e.Stroke = ""
	default:
		return nil, false
	}
	return e, true
}

// rounded reports whether an Excalidraw line or arrow is drawn as a curve: it has a
// roundness (an object such as {"type":2}; null is sharp), or, in files from before
// roundness existed, strokeSharpness "round". Elbow arrows are right-angled paths
// whatever their roundness says.
func rounded(x *exElement) bool {
	if x.Elbowed {
		return false
	}
	r := bytes.TrimSpace(x.Roundness)
	if len(r) == 0 {
		return x.StrokeSharpness == "round"
	}
	return r[0] == '{'
}

// head maps an Excalidraw arrowhead (null is none).
func head(h *string) string {
	if h == nil {
		return "none"
	}
	if v, ok := exHeads[*h]; ok {
		return v
	}
	return "arrow"
}

func points(in [][]float64, pressures []float64) wire.Points {
	out := make(wire.Points, 0, 3*len(in))
	for i, p := range in {
		if len(p) < 2 {
			continue
		}
		pr := float32(-1)
		if pressures != nil {
			pr = float32(math.Max(0, math.Min(1, pressures[i])))
		}
		out = append(out, float32(clampCoord(p[0])), float32(clampCoord(p[1])), pr)
	}
	return out
}

// colour keeps hex colours and turns "transparent" (and any colour we cannot read) into
// none.
func colour(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 4 || len(s) == 7 || len(s) == 9 {
		if s[0] == '#' && strings.Trim(s[1:], "0123456789abcdefABCDEF") == "" {
			return s
		}
	}
	return ""
}

func clampCoord(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return math.Max(-wire.MaxCoord, math.Min(wire.MaxCoord, v))
}

// decodeDataURL reads "data:<type>;base64,<data>".
func decodeDataURL(u string) ([]byte, bool) {
	meta, data, ok := strings.Cut(u, ",")
	if !ok || !strings.HasPrefix(meta, "data:") || !strings.HasSuffix(meta, ";base64") {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(data)
	return b, err == nil
}

// idMap keeps Excalidraw's ids where they are valid Tabula ids and replaces the others
// consistently, so that bindings and groups still point at the right elements.
type idMap struct{ m map[string]string }

func newIDs() *idMap { return &idMap{m: map[string]string{}} }

func (ids *idMap) get(id string) string {
	if v, ok := ids.m[id]; ok {
		return v
	}
	v := id
	if !validID(id) {
		b := make([]byte, 12)
		rand.Read(b) // never fails (crypto/rand)
		v = base64.RawURLEncoding.EncodeToString(b)
	}
	ids.m[id] = v
	return v
}

func validID(s string) bool {
	if len(s) == 0 || len(s) > wire.MaxIDLen {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// keepFrames takes members out of frames the file does not hold (or holds deleted):
// Excalidraw leaves frameId behind when a frame goes, and a board refuses a member of
// a frame that does not exist.
func keepFrames(els []*wire.Element) {
	live := map[string]bool{}
	for _, e := range els {
		if e.Type == "frame" && !e.Deleted {
			live[e.ID] = true
		}
	}
	for _, e := range els {
		if e.Frame != "" && !live[e.Frame] {
			e.Frame = ""
		}
	}
}

// clipRunes cuts s to at most n characters.
func clipRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
