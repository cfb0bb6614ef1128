package wire

import (
	"bytes"
	"encoding/json"
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
	return c.AppendJSON(b)
}

// Validate checks e against the protocol's rules and lim, as a put would.
func (e *Element) Validate(lim *Limits) error { return e.validate(lim) }
