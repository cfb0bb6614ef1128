package render

import (
	"image/color"
	"math"
)

// parseColour reads #rgb, #rrggbb or #rrggbbaa. Anything else — the protocol refuses it,
// but the renderer does not rely on that — is reported as not ok and drawn as nothing:
// no string from an element ever reaches the output, only the numbers parsed here.
func parseColour(s string) (color.NRGBA, bool) {
	if len(s) != 4 && len(s) != 7 && len(s) != 9 || s[0] != '#' {
		return color.NRGBA{}, false
	}
	var v [8]byte
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v[i-1] = c - '0'
		case c >= 'a' && c <= 'f':
			v[i-1] = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v[i-1] = c - 'A' + 10
		default:
			return color.NRGBA{}, false
		}
	}
	if len(s) == 4 {
		return color.NRGBA{v[0] * 17, v[1] * 17, v[2] * 17, 255}, true
	}
	c := color.NRGBA{v[0]<<4 | v[1], v[2]<<4 | v[3], v[4]<<4 | v[5], 255}
	if len(s) == 9 {
		c.A = v[6]<<4 | v[7]
	}
	return c, true
}

// palette turns element colours into output colours for a theme.
type palette struct{ dark bool }

// colour is c for the theme with opacity applied. The dark theme shows the drawing as
// the board page does in dark mode: CSS invert(93%) then hue-rotate(180deg), so ink
// picked as black on white reads as light grey on the dark background.
func (p palette) colour(c color.NRGBA, opacity float64) color.RGBA {
	if p.dark {
		c = darken(c)
	}
	a := float64(c.A) / 255 * clamp01(opacity)
	// canvas wants premultiplied colours.
	return color.RGBA{
		R: uint8(math.Round(float64(c.R) * a)), G: uint8(math.Round(float64(c.G) * a)),
		B: uint8(math.Round(float64(c.B) * a)), A: uint8(math.Round(255 * a)),
	}
}

func darken(c color.NRGBA) color.NRGBA {
	const amount = 0.93
	r := amount + (1-2*amount)*float64(c.R)/255
	g := amount + (1-2*amount)*float64(c.G)/255
	b := amount + (1-2*amount)*float64(c.B)/255
	// hue-rotate(180deg) from the Filter Effects spec, cos = -1, sin = 0.
	r2 := -0.574*r + 1.430*g + 0.144*b
	g2 := 0.426*r + 0.430*g + 0.144*b
	b2 := 0.426*r + 1.430*g - 0.856*b
	to := func(v float64) uint8 { return uint8(math.Round(clamp01(v) * 255)) }
	return color.NRGBA{to(r2), to(g2), to(b2), c.A}
}

func clamp01(v float64) float64 {
	if !(v >= 0) { // NaN too
		return 0
	}
	return min(v, 1)
}

// Default colours, as assets/js/render.js draws them.
const (
	ink      = "#1e1e1e"
	noteFill = "#fff3bf"
)

// The placeholder of an image that cannot be shown, and the shadow under a note, as
// the board draws them.
var (
	placeholderFill = color.NRGBA{0xff, 0xf5, 0xf5, 0xff}
	placeholderEdge = color.NRGBA{0xff, 0xa8, 0xa8, 0xff}
	noteShadow      = color.NRGBA{0, 0, 0, 0x0f}
)
