package render

import (
	"bufio"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"io"
)

// encodePNG writes bands, top to bottom, as one 8-bit RGBA PNG. image/png spent most of an export's time
// choosing a filter for every row; a drawing is mostly runs of one colour, which the
// Sub filter turns into zeros just as well, so every row uses it.
func encodePNG(w io.Writer, bands []*image.RGBA) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	height := 0
	for _, img := range bands {
		height += img.Bounds().Dy()
	}
	b := image.Rect(0, 0, bands[0].Bounds().Dx(), height)
	bw.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(b.Dx()))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(b.Dy()))
	ihdr[8], ihdr[9] = 8, 6 // 8 bits per channel, RGBA
	writeChunk(bw, "IHDR", ihdr[:])

	idat := &chunkWriter{w: bw, typ: "IDAT", buf: make([]byte, 0, 256<<10)}
	z, err := zlib.NewWriterLevel(idat, zlib.BestSpeed)
	if err != nil {
		return err
	}
	row := make([]byte, 1+4*b.Dx())
	row[0] = 1 // Sub
	for _, img := range bands {
		for y := 0; y < img.Bounds().Dy(); y++ {
			src := img.Pix[img.PixOffset(0, y):][:4*b.Dx()]
			dst := row[1:]
			var pr, pg, pb, pa byte
			for x := 0; x+3 < len(src); x += 4 {
				r, g, bl, a := src[x], src[x+1], src[x+2], src[x+3]
				if a != 255 && a != 0 { // PNG is not premultiplied
					r = uint8((uint32(r)*255 + uint32(a)/2) / uint32(a))
					g = uint8((uint32(g)*255 + uint32(a)/2) / uint32(a))
					bl = uint8((uint32(bl)*255 + uint32(a)/2) / uint32(a))
				}
				dst[x], dst[x+1], dst[x+2], dst[x+3] = r-pr, g-pg, bl-pb, a-pa
				pr, pg, pb, pa = r, g, bl, a
			}
			if _, err := z.Write(row); err != nil {
				return err
			}
		}
	}
	if err := z.Close(); err != nil {
		return err
	}
	idat.flush()
	writeChunk(bw, "IEND", nil)
	return bw.Flush()
}

func writeChunk(w *bufio.Writer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	w.WriteString(typ)
	w.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	w.Write(n[:]) // bufio keeps the first error for Flush
}

// chunkWriter cuts a stream into chunks of one type.
type chunkWriter struct {
	w   *bufio.Writer
	typ string
	buf []byte
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), cap(c.buf)-len(c.buf))
		c.buf = append(c.buf, p[:k]...)
		p = p[k:]
		if len(c.buf) == cap(c.buf) {
			c.flush()
		}
	}
	return n, nil
}

func (c *chunkWriter) flush() {
	if len(c.buf) > 0 {
		writeChunk(c.w, c.typ, c.buf)
		c.buf = c.buf[:0]
	}
}
