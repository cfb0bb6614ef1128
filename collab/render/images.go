package render

import (
	"bytes"
	"image"
	_ "image/gif"  // the formats a board stores
	_ "image/jpeg" //
	_ "image/png"  //
	"net/http"
	"sync"

	"github.com/tdewolff/canvas"
	_ "golang.org/x/image/webp" //
)

// images decodes each image once per render, for every band that draws it.
type images struct {
	load func(src string) []byte
	mu   sync.Mutex
	m    map[string]image.Image
}

func newImages(load func(string) []byte) *images {
	return &images{load: load, m: map[string]image.Image{}}
}

// get returns the bitmap of src, or nil when it is unknown or does not decode. PNG and
// JPEG keep their bytes, which SVG and PDF embed as they are.
func (c *images) get(src string) image.Image {
	if c == nil || c.load == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if img, ok := c.m[src]; ok {
		return img
	}
	var img image.Image
	if data := c.load(src); data != nil {
		if decoded, _, err := image.Decode(bytes.NewReader(data)); err == nil {
			img = decoded
			switch ct := http.DetectContentType(data); ct {
			case "image/png", "image/jpeg":
				img = canvas.Image{Image: decoded, Mimetype: ct, Bytes: data}
			}
		}
	}
	c.m[src] = img
	return img
}
