package collab

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	_ "image/gif"  // register decoders: an upload must decode as what it claims
	_ "image/jpeg" //
	_ "image/png"  //
	"net/http"

	_ "golang.org/x/image/webp" //

	"tabula/collab/wire"
)

// Image limits.
const (
	// DefaultMaxImage is the largest image upload, in bytes.
	DefaultMaxImage = 5 << 20
	// MaxImagePixels bounds width×height, so that a small file cannot claim to be a
	// gigapixel image that every browser on the board would then try to decode.
	MaxImagePixels = 50_000_000
	// DefaultMaxBoardImages and DefaultMaxBoardImageBytes are how many images, and how
	// many bytes of them, one board may hold: far more than a person pastes into a
	// whiteboard, far less than a script could upload.
	DefaultMaxBoardImages     = 1000
	DefaultMaxBoardImageBytes = 256 << 20
)

// imageTypes are the formats a board accepts, by sniffed content type. SVG is not among
// them: browsers rasterise it before upload, so no script-capable document is stored.
var imageTypes = map[string]string{
	"image/png":  "png",
	"image/jpeg": "jpeg",
	"image/gif":  "gif",
	"image/webp": "webp",
}

// Image is a stored image: its content address and type.
type Image struct {
	Src         string // "sha256:" + hex of the bytes; what elements reference
	ContentType string
	Width       int
	Height      int
}

// PutImage checks data and stores it for board id. The type is decided by the content,
// never by a name or a client's header. Returns EBadValue for anything that is not a
// PNG, JPEG, GIF or WebP image that decodes, ETooBig over the size limit or when the
// board's images would pass MaxBoardImages or MaxBoardImageBytes (an image the board
// has already is always accepted).
func (s *Service) PutImage(ctx context.Context, board string, data []byte) (Image, error) {
	img, err := s.checkImage(data)
	if err != nil {
		return Image{}, err
	}
	lim := ImageLimit{Count: s.cfg.MaxBoardImages, Bytes: s.cfg.MaxBoardImageBytes}
	err = s.store.PutImageWithin(ctx, board, img.Src, data, lim)
	if errors.Is(err, ErrImageQuota) {
		return Image{}, wire.Errorf(wire.ETooBig, "this board holds as many images as it may (%d, or %.0f MiB in all)", s.cfg.MaxBoardImages, float64(s.cfg.MaxBoardImageBytes)/(1<<20))
	}
	if err != nil {
		return Image{}, err
	}
	return img, nil
}

// checkImage decides what data is by its content and computes its address.
func (s *Service) checkImage(data []byte) (Image, error) {
	if len(data) > s.cfg.MaxImage {
		return Image{}, wire.Errorf(wire.ETooBig, "the image is %.1f MiB; the limit is %.1f MiB", float64(len(data))/(1<<20), float64(s.cfg.MaxImage)/(1<<20))
	}
	ct := http.DetectContentType(data)
	format, ok := imageTypes[ct]
	if !ok {
		return Image{}, wire.Errorf(wire.EBadValue, "this file is not a PNG, JPEG, GIF or WebP image")
	}
	cfg, got, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || got != format {
		return Image{}, wire.Errorf(wire.EBadValue, "this %s image is damaged and cannot be read", format)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxImagePixels {
		return Image{}, wire.Errorf(wire.EBadValue, "the image is %d×%d pixels; at most %d million pixels are allowed", cfg.Width, cfg.Height, MaxImagePixels/1_000_000)
	}
	sum := sha256.Sum256(data)
	return Image{Src: "sha256:" + hex.EncodeToString(sum[:]), ContentType: ct, Width: cfg.Width, Height: cfg.Height}, nil
}

// GetImage returns an image of board id by its src. Returns ENotFound if the board has
// no such image.
func (s *Service) GetImage(ctx context.Context, board, src string) ([]byte, string, error) {
	if !wire.ValidSrc(src) {
		return nil, "", wire.Errorf(wire.ENotFound, "no such image")
	}
	data, err := s.store.Image(ctx, board, src)
	if err != nil {
		return nil, "", err
	}
	return data, http.DetectContentType(data), nil
}
