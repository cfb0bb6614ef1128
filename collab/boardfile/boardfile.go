// Package boardfile reads and writes whole boards as files: Tabula's own JSON export
// (docs/export-format.md) and Excalidraw's .excalidraw files. It is pure: bytes in,
// elements and images out, and the other way round.
package boardfile

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"tabula/collab/wire"
)

// Version is the Tabula JSON format version this server writes and the newest it reads.
// Version 2 added the curve of lines and arrows; a server that reads only version 1
// would refuse the field, so the number tells it the file is newer instead. Version 3
// added frames (the frame type and the frame field), for the same reason; version 4
// pages (the page type and the page field).
const Version = 4

// Board is the content of a board file.
type Board struct {
	Title    string
	Elements []*wire.Element
	// Images maps an image's content address (an element's src) to its bytes.
	Images map[string][]byte
}

// Encode writes b as a Tabula JSON file: elements in the order given (draw order), the
// server's bookkeeping left out, images inline in base64. A member of a frame the file
// does not hold (deleted, or left out of a selection) is written in no frame, and an
// element on a page the file does not hold on the first page, so that the file imports.
func Encode(w io.Writer, b Board) error {
	frames := map[string]bool{}
	pages := map[string]bool{}
	for _, e := range b.Elements {
		if e.Type == "frame" && !e.Deleted {
			frames[e.ID] = true
		}
		if e.Type == "page" && !e.Deleted {
			pages[e.ID] = true
		}
	}
	buf := make([]byte, 0, 64+256*len(b.Elements))
	buf = append(buf, `{"type":"tabula","version":`...)
	buf = strconv.AppendInt(buf, Version, 10)
	title, _ := json.Marshal(b.Title)
	buf = append(buf, `,"title":`...)
	buf = append(buf, title...)
	buf = append(buf, `,"elements":[`...)
	for i, e := range b.Elements {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, "\n"...)
		if (e.Frame != "" && !frames[e.Frame]) || (e.Page != "" && !pages[e.Page]) {
			c := *e
			if !frames[e.Frame] {
				c.Frame = ""
			}
			if !pages[e.Page] {
				c.Page = ""
			}
			e = &c
		}
		buf = wire.AppendElement(buf, e)
	}
	buf = append(buf, "\n],\"images\":{"...)
	srcs := make([]string, 0, len(b.Images))
	for src := range b.Images {
		srcs = append(srcs, src)
	}
	slices.Sort(srcs)
	for i, src := range srcs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, "\n\""...)
		buf = append(buf, src...) // sha256: and hex digits only
		buf = append(buf, `":"`...)
		buf = base64.StdEncoding.AppendEncode(buf, b.Images[src])
		buf = append(buf, '"')
	}
	buf = append(buf, "}}\n"...)
	_, err := w.Write(buf)
	return err
}

// Decode reads a Tabula JSON or .excalidraw file, gzip-compressed or not, of at most
// maxBytes once inflated. Elements are checked against lim as puts are; the caller
// still checks the board as a whole (element cap, images). Every failure is a
// *wire.Error whose message says what is wrong with the file.
func Decode(data []byte, maxBytes int, lim *wire.Limits) (Board, error) {
	if len(data) > maxBytes {
		return Board{}, tooBig(maxBytes)
	}
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return Board{}, bad("the file looks compressed but is damaged")
		}
		// Read one byte past the limit to tell "exactly the limit" from "more".
		inflated, err := io.ReadAll(io.LimitReader(zr, int64(maxBytes)+1))
		if err != nil {
			return Board{}, bad("the file looks compressed but is damaged")
		}
		if len(inflated) > maxBytes {
			return Board{}, &wire.Error{Code: wire.ETooBig, Msg: fmt.Sprintf("the file unpacks to more than %s; that is the limit", mib(maxBytes))}
		}
		data = inflated
	}
	var head struct {
		Type    string          `json:"type"`
		Version json.RawMessage `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return Board{}, bad("the file is not a board: it is not JSON, or not a JSON object")
	}
	switch head.Type {
	case "tabula":
		return decodeTabula(data, lim)
	case "excalidraw":
		return decodeExcalidraw(data, lim)
	}
	return Board{}, bad("the file is not a Tabula or Excalidraw board")
}

func decodeTabula(data []byte, lim *wire.Limits) (Board, error) {
	var f struct {
		Type     string            `json:"type"`
		Version  int               `json:"version"`
		Title    string            `json:"title"`
		Elements []json.RawMessage `json:"elements"`
		Images   map[string]string `json:"images"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) && typ.Field == "version" {
			return Board{}, bad("the file's version must be a number")
		}
		return Board{}, bad("the file does not follow the Tabula format: %s", shortJSONError(err))
	}
	switch {
	case f.Version > Version:
		return Board{}, bad("the file was written by a newer Tabula (format %d); this server reads format %d and older", f.Version, Version)
	case f.Version < 1:
		return Board{}, bad("the file has no valid format version")
	case f.Elements == nil:
		return Board{}, bad("the file has no elements list")
	}
	if len(f.Elements) > maxFileElements(lim) {
		return Board{}, tooMany(len(f.Elements), lim)
	}
	b := Board{Title: f.Title, Images: map[string][]byte{}}
	for i, raw := range f.Elements {
		e, err := wire.DecodeElement(raw, lim)
		if err != nil {
			return Board{}, bad("element %d: %s", i+1, wire.ErrorMessage(err))
		}
		b.Elements = append(b.Elements, e)
	}
	for src, enc := range f.Images {
		data, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			return Board{}, bad("image %.20s… is not valid base64", src)
		}
		b.Images[src] = data
	}
	return b, nil
}

// maxFileElements bounds the elements a file may list (tombstones count too): the cap
// on live elements, with room for deleted ones, so that a file of millions of tiny
// elements is refused before they are all built.
func maxFileElements(lim *wire.Limits) int { return 2 * lim.MaxElements }

func tooMany(n int, lim *wire.Limits) error {
	return &wire.Error{Code: wire.ETooManyElements, Msg: fmt.Sprintf("the file has %d elements; a board holds at most %d", n, lim.MaxElements)}
}

func bad(format string, args ...any) error {
	return &wire.Error{Code: wire.EBadValue, Msg: fmt.Sprintf(format, args...)}
}

func tooBig(max int) error {
	return &wire.Error{Code: wire.ETooBig, Msg: fmt.Sprintf("the file is larger than %s; that is the limit", mib(max))}
}

func mib(n int) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
}

// shortJSONError names a JSON problem without Go type names.
func shortJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %s has the wrong type", typ.Field)
	}
	msg := err.Error()
	if len(msg) > 80 {
		msg = msg[:80]
	}
	return msg
}
