package app

import (
	"io"
	"mime/multipart"

	"github.com/gofiber/fiber/v2"

	"tabula/collab"
	"tabula/collab/boardfile"
	"tabula/collab/wire"
)

// importBoard answers POST /import: the request body (or the form field "file") is a
// Tabula JSON export or an .excalidraw file, gzip-compressed or not; a new board is made
// from it, all at once or not at all. Answers 201 {"id","view","url"}.
func (s *Server) importBoard(c *fiber.Ctx) error {
	data := c.Body()
	if fh, err := c.FormFile("file"); err == nil {
		if data, err = readForm(fh, s.maxImport); err != nil {
			return err
		}
	}
	if len(data) == 0 {
		return &wire.Error{Code: wire.EBadValue, Msg: "send the board file as the request body"}
	}
	lim := s.svc.Limits()
	file, err := boardfile.Decode(data, s.maxImport, &lim)
	if err != nil {
		return err
	}
	b, err := s.svc.ImportBoard(c.UserContext(), file.Title, file.Elements, file.Images)
	if err != nil {
		return err
	}
	s.log.Info("board imported", "board", collab.LogID(b.ID), "elements", len(file.Elements))
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": b.ID, "view": b.ViewID, "url": "/b/" + b.ID, "title": b.Title})
}

func readForm(fh *multipart.FileHeader, max int) ([]byte, error) {
	if fh.Size > int64(max) {
		return nil, &wire.Error{Code: wire.ETooBig, Msg: tooLarge(max)}
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, int64(max)+1))
}
