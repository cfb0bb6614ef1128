package collab

import (
	"bytes"
	"encoding/json"
	"io"
)

// DecodeElement reads one element in wire form (docs/protocol.md), with the same rules
// as a put: unknown fields are refused and every field is checked against lim. The
// server fields v, by and at are accepted and ignored.
func DecodeElement(data []byte, lim *Limits) (*Element, error) {
	var f Fields
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(err)
	}
	e := f.element()
	if err := e.validate(lim); err != nil {
		return nil, err
	}
	return e, nil
}

// AppendElement appends e in wire form, without the server's bookkeeping (v, by, at):
// what an export file holds.
func AppendElement(b []byte, e *Element) []byte {
	c := *e
	c.V, c.By, c.At = 0, "", 0
	return c.appendJSON(b)
}

// Validate checks e against the protocol's rules and lim, as a put would.
func (e *Element) Validate(lim *Limits) error { return e.validate(lim) }

// jsonUnmarshalPrefix decodes the first JSON value of data into v, ignoring the rest
// of its fields.
func jsonUnmarshalPrefix(data []byte, v any) error {
	err := json.NewDecoder(bytes.NewReader(data)).Decode(v)
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
