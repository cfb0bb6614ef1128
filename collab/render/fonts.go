package render

import (
	"fmt"
	"sync"

	"codeberg.org/go-fonts/liberation/liberationserifregular"
	"github.com/tdewolff/canvas"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
)

// Fonts are compiled into the binary (Go modules that embed them): an export looks the
// same on every server, with no system fonts assumed. The browser uses system fonts
// for the same families, so glyph shapes differ a little; sizes, lines and wrapping
// follow the same rules.
var fontFiles = map[string][]byte{
	"sans":  goregular.TTF,
	"serif": liberationserifregular.TTF,
	"mono":  gomono.TTF,
	"hand":  goitalic.TTF,
}

var (
	fontsOnce sync.Once
	families  map[string]*canvas.FontFamily
	fontsErr  error
)

func loadFonts() error {
	fontsOnce.Do(func() {
		families = make(map[string]*canvas.FontFamily, len(fontFiles))
		for name, data := range fontFiles {
			f := canvas.NewFontFamily("tabula-" + name)
			if err := f.LoadFont(data, 0, canvas.FontRegular); err != nil {
				fontsErr = fmt.Errorf("load font %s: %w", name, err)
				return
			}
			families[name] = f
		}
	})
	return fontsErr
}

// family is the font family for an element's font field; unknown values get sans.
func family(font string) *canvas.FontFamily {
	if f, ok := families[font]; ok {
		return f
	}
	return families["sans"]
}
