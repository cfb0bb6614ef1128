package wire

import (
	"math"
	"unicode/utf8"
)

// Element is one thing drawn on a board. It is plain data: every field is part of the
// wire format (docs/protocol.md) and nothing is derived. Elements held by a board are
// never modified in place; a change makes a new *Element, so readers (snapshot encoding,
// welcome) can share them without locks.
type Element struct {
	ID         string
	Type       string
	X, Y, W, H float64
	Angle      float64
	Points     Points
	Stroke     string
	Fill       string
	FillStyle  string
	Width      float64
	Opacity    float64
	Dash       string
	Font       string
	Size       float64
	Align      string
	Text       string
	StartArrow string
	EndArrow   string
	Curve      string // lines and arrows: "" or "sharp" straight segments, "round" a smooth curve
	StartBind  string
	EndBind    string
	Src        string
	Group      string
	Frame      string // the id of the frame this element is in; "" for none
	Page       string // the id of the page this element is on; "" for the first page (DefaultPage)
	Locked     bool
	Z          string
	V          int64
	Deleted    bool
	By         string
	At         int64
}

// Element types a board accepts.
var elementTypes = map[string]bool{
	"stroke": true, "line": true, "arrow": true, "rect": true, "ellipse": true,
	"diamond": true, "text": true, "note": true, "image": true, "frame": true,
	"page": true,
}

// Allowed words for the enumerated style fields. The empty string always means "default".
var (
	fillStyles = words("none", "solid", "hatch")
	dashes     = words("solid", "dashed", "dotted")
	fonts      = words("sans", "serif", "mono", "hand")
	aligns     = words("left", "center", "right")
	arrowHeads = words("none", "arrow", "triangle", "dot", "bar")
	curves     = words("sharp", "round")
)

func words(ws ...string) map[string]bool {
	m := map[string]bool{"": true}
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// validate checks every field of e against the protocol's rules and lim. It returns an
// *Error naming the element and the field.
func (e *Element) validate(lim *Limits) error {
	if !validID(e.ID) {
		return Errorf(EBadValue, "element id %q must be 1-%d characters of A-Z a-z 0-9 _ -", Clip(e.ID), MaxIDLen)
	}
	if !elementTypes[e.Type] {
		return Errorf(EBadValue, "element %s has unknown type %q", e.ID, Clip(e.Type))
	}
	for _, f := range [...]struct {
		name string
		v    float64
	}{{"x", e.X}, {"y", e.Y}, {"w", e.W}, {"h", e.H}} {
		if !finiteWithin(f.v, MaxCoord) {
			return Errorf(EBadValue, "element %s: %s must be a finite number within ±%g", e.ID, f.name, float64(MaxCoord))
		}
	}
	if !finiteWithin(e.Angle, 2*math.Pi) {
		return Errorf(EBadValue, "element %s: angle must be within ±2π", e.ID)
	}
	if n := e.Points.Len(); n > lim.MaxPoints {
		return Errorf(ETooManyPoints, "element %s has %d points, the limit is %d", e.ID, n, lim.MaxPoints)
	}
	if err := e.validateStyle(lim); err != nil {
		return err
	}
	for _, f := range [...]struct{ name, v string }{{"startBind", e.StartBind}, {"endBind", e.EndBind}, {"group", e.Group}, {"frame", e.Frame}, {"page", e.Page}} {
		if f.v != "" && !validID(f.v) {
			return Errorf(EBadValue, "element %s: %s must be an element id", e.ID, f.name)
		}
	}
	if e.Type == "frame" {
		if e.Frame != "" {
			return Errorf(EBadFrame, "frame %s cannot be inside a frame", e.ID)
		}
		if n := utf8.RuneCountInString(e.Text); n > MaxFrameName {
			return Errorf(ETextTooLong, "frame %s has a name of %d characters, the limit is %d", e.ID, n, MaxFrameName)
		}
	}
	if e.Type == "page" {
		if e.Page != "" || e.Frame != "" {
			return Errorf(EBadPage, "page %s cannot be on a page or in a frame", e.ID)
		}
		if n := utf8.RuneCountInString(e.Text); n > MaxPageName {
			return Errorf(ETextTooLong, "page %s has a name of %d characters, the limit is %d", e.ID, n, MaxPageName)
		}
	}
	if e.Src != "" && !ValidSrc(e.Src) {
		return Errorf(EBadValue, "element %s: src must be sha256: and 64 hex digits", e.ID)
	}
	if !validZ(e.Z) {
		return Errorf(EBadValue, "element %s: z must be 1-%d characters of 0-9 A-Z a-z", e.ID, MaxZLen)
	}
	return nil
}

func (e *Element) validateStyle(lim *Limits) error {
	for _, f := range [...]struct{ name, v string }{{"stroke", e.Stroke}, {"fill", e.Fill}} {
		if !validColor(f.v) {
			return Errorf(EBadValue, "element %s: %s must be a colour like #1e1e1e", e.ID, f.name)
		}
	}
	for _, f := range [...]struct {
		name string
		v    string
		ok   map[string]bool
	}{
		{"fillStyle", e.FillStyle, fillStyles}, {"dash", e.Dash, dashes}, {"font", e.Font, fonts},
		{"align", e.Align, aligns}, {"startArrow", e.StartArrow, arrowHeads}, {"endArrow", e.EndArrow, arrowHeads},
		{"curve", e.Curve, curves},
	} {
		if !f.ok[f.v] {
			return Errorf(EBadValue, "element %s: %s %q is not allowed", e.ID, f.name, Clip(f.v))
		}
	}
	if !finiteIn(e.Width, 0, MaxWidth) {
		return Errorf(EBadValue, "element %s: width must be 0-%d", e.ID, MaxWidth)
	}
	if !finiteIn(e.Opacity, 0, 1) {
		return Errorf(EBadValue, "element %s: opacity must be 0-1", e.ID)
	}
	if !finiteIn(e.Size, 0, MaxFontSize) {
		return Errorf(EBadValue, "element %s: size must be 0-%d", e.ID, MaxFontSize)
	}
	if len(e.Text) > lim.MaxText {
		return Errorf(ETextTooLong, "element %s has %d bytes of text, the limit is %d", e.ID, len(e.Text), lim.MaxText)
	}
	if !utf8.ValidString(e.Text) {
		return Errorf(EBadValue, "element %s: text is not valid UTF-8", e.ID)
	}
	return nil
}

func finiteWithin(v, max float64) bool { return v >= -max && v <= max } // false for NaN

func finiteIn(v, lo, hi float64) bool { return v >= lo && v <= hi }

// validID reports whether s is 1-MaxIDLen characters of A-Z a-z 0-9 _ -.
func validID(s string) bool {
	return len(s) > 0 && len(s) <= MaxIDLen && URLSafe(s)
}

// URLSafe reports whether s has only A-Z a-z 0-9 _ - (base64url without padding).
func URLSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func validZ(s string) bool {
	if len(s) == 0 || len(s) > MaxZLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// validColor allows "" and #rgb, #rrggbb, #rrggbbaa: nothing that could break out of an
// SVG attribute or CSS value.
func validColor(s string) bool {
	if s == "" {
		return true
	}
	if s[0] != '#' || (len(s) != 4 && len(s) != 7 && len(s) != 9) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// ValidSrc reports whether s is an image address: sha256: and 64 hex digits.
func ValidSrc(s string) bool {
	const prefix = "sha256:"
	if len(s) != len(prefix)+64 || s[:len(prefix)] != prefix {
		return false
	}
	for i := len(prefix); i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// Clip shortens client-supplied text quoted back in error messages.
func Clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	for i := max; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}
