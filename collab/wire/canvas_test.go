package wire

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"testing"
)

// The server validates and exports the canvas colours the board page offers and shows:
// the same ids as canvascolor.js, the same shades as appearance.css.
func TestCanvasColorsMatchThePage(t *testing.T) {
	js, err := os.ReadFile("../../assets/js/canvascolor.js")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range regexp.MustCompile(`\{ id: '([a-z]+)'`).FindAllStringSubmatch(string(js), -1) {
		ids = append(ids, m[1])
	}
	if !slices.Equal(ids, CanvasIDs()) {
		t.Errorf("canvascolor.js offers %v, the server %v", ids, CanvasIDs())
	}
	css, err := os.ReadFile("../../assets/css/appearance.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range CanvasColors {
		for _, shade := range []struct {
			prefix string
			dark   bool
		}{{"\n", false}, {`:root[data-theme="dark"] `, true}} {
			re := regexp.MustCompile(regexp.QuoteMeta(shade.prefix+`[data-canvas="`+c.ID+`"]`) + ` \{\s*--canvas-tone: (#[0-9a-f]{6});`)
			m := re.FindStringSubmatch(string(css))
			rgb := CanvasShade(c.ID, shade.dark)
			if want := fmt.Sprintf("#%02x%02x%02x", rgb.R, rgb.G, rgb.B); m == nil || m[1] != want {
				t.Errorf("%s (dark %v): appearance.css has %v, the server %s", c.ID, shade.dark, m, want)
			}
		}
	}
	if _, err := CleanCanvas("canvas", "Mint"); err == nil {
		t.Error("ids are exact: Mint is not mint")
	}
}
