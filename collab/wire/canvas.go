package wire

import (
	"image/color"
	"slices"
	"strings"
)

// CanvasColor is a colour a board's canvas can be shown on: a light and a dark shade,
// so that a board keeps its character in either theme. Boards store the id.
type CanvasColor struct {
	ID          string
	Light, Dark color.RGBA
}

// CanvasColors are the canvas colours a board can have, the default first; the board page
// offers the same ones (assets/js/canvascolor.js, shades in assets/css/appearance.css).
var CanvasColors = [...]CanvasColor{
	{"plain", color.RGBA{0xff, 0xff, 0xff, 0xff}, color.RGBA{0x12, 0x12, 0x12, 0xff}},
	{"paper", color.RGBA{0xfb, 0xf6, 0xea, 0xff}, color.RGBA{0x1f, 0x1b, 0x14, 0xff}},
	{"mint", color.RGBA{0xec, 0xf8, 0xef, 0xff}, color.RGBA{0x13, 0x20, 0x19, 0xff}},
	{"sky", color.RGBA{0xea, 0xf3, 0xfc, 0xff}, color.RGBA{0x12, 0x1b, 0x26, 0xff}},
	{"slate", color.RGBA{0xec, 0xee, 0xf1, 0xff}, color.RGBA{0x1c, 0x1f, 0x24, 0xff}},
}

// CanvasShade returns the shade of canvas colour id for a theme; the default's for an
// unknown or empty id.
func CanvasShade(id string, dark bool) color.RGBA {
	c := CanvasColors[0]
	for _, k := range CanvasColors {
		if k.ID == id {
			c = k
		}
	}
	if dark {
		return c.Dark
	}
	return c.Light
}

// CanvasIDs returns the ids of the canvas colours, the default first.
func CanvasIDs() []string {
	ids := make([]string, len(CanvasColors))
	for i, c := range CanvasColors {
		ids[i] = c.ID
	}
	return ids
}

// CleanCanvas checks that s is the id of a canvas colour. Returns EBadValue, naming
// field and the ids allowed, when it is not.
func CleanCanvas(field, s string) (string, error) {
	if !slices.Contains(CanvasIDs(), s) {
		return "", Errorf(EBadValue, "%s must be one of %s", field, strings.Join(CanvasIDs(), ", "))
	}
	return s, nil
}
