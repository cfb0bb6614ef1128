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
	// stored hands PNG and JPEG over as canvas.Image, with the bytes they were stored
	// as, which the SVG renderer embeds unchanged. Only SVG wants them: canvas.Image
	// holds a slice, so it cannot be a map key, and the PDF renderer keys the images it
	// embeds by value (tdewolff/canvas issue 327: "hash of unhashable type
	// canvas.Image"). The plain bitmaps, pointers, key that map well: an image drawn
	// twice is embedded once.
	stored bool
	mu     sync.Mutex
	m      map[string]image.Image
}

// newImages loads images with load; stored as in images.stored.
func newImages(load func(string) []byte, stored bool) *images {
	return &images{load: load, stored: stored, m: map[string]image.Image{}}
}

// get returns the bitmap of src, or nil when it is unknown or does not decode.
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
			if ct := http.DetectContentType(data); c.stored && (ct == "image/png" || ct == "image/jpeg") {
				img = canvas.Image{Image: decoded, Mimetype: ct, Bytes: data}
			}
		}
	}
	c.m[src] = img
	return img
}
