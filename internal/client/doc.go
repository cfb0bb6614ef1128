package client

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Doc is a client's copy of a board, built only from what the server sends, by the
// rules of docs/protocol.md. Elements are kept as generic JSON objects so that the copy
// does not depend on the server's Go types.
type Doc struct {
	Seq int64
	Els map[string]map[string]any
}

// NewDoc returns an empty board.
func NewDoc() *Doc { return &Doc{Els: map[string]map[string]any{}} }

// Welcome applies a welcome message.
func (d *Doc) Welcome(m *Msg) error {
	if m.Reset {
		d.Els = map[string]map[string]any{}
		for _, raw := range m.Elements {
			var el map[string]any
			if err := json.Unmarshal(raw, &el); err != nil {
				return err
			}
			d.Els[el["id"].(string)] = el
		}
		d.Seq = m.Seq
		return nil
	}
	for _, raw := range m.Ops {
		var b Msg
		if err := json.Unmarshal(raw, &b); err != nil {
			return err
		}
		if err := d.Apply(&b); err != nil {
			return err
		}
	}
	if d.Seq != m.Seq {
		return fmt.Errorf("welcome at seq %d left the doc at %d", m.Seq, d.Seq)
	}
	return nil
}

// Apply applies an ops broadcast, which must be the next seq.
func (d *Doc) Apply(m *Msg) error {
	if m.Seq != d.Seq+1 {
		return fmt.Errorf("got seq %d after %d", m.Seq, d.Seq)
	}
	type wop struct {
		O   string         `json:"o"`
		ID  string         `json:"id"`
		El  map[string]any `json:"el"`
		Set map[string]any `json:"set"`
		V   float64        `json:"v"`
	}
	ops := make([]wop, len(m.Ops))
	placed := map[string]bool{} // the protocol's frame rule: these stay where the batch puts them
	for i, raw := range m.Ops {
		op := &ops[i]
		if err := json.Unmarshal(raw, op); err != nil {
			return err
		}
		_, x := op.Set["x"]
		_, y := op.Set["y"]
		if op.O == "put" {
			id, _ := op.El["id"].(string)
			placed[id] = true
		} else if op.O == "patch" && (x || y) {
			placed[op.ID] = true
		}
	}
	for _, op := range ops {
		switch op.O {
		case "put":
			d.Els[op.El["id"].(string)] = op.El
		case "patch", "del":
			el := d.Els[op.ID]
			if el == nil {
				return fmt.Errorf("seq %d: %s of unknown element %s", m.Seq, op.O, op.ID)
			}
			px, py, live := num(el["x"]), num(el["y"]), el["deleted"] != true
			for k, v := range op.Set {
				el[k] = v
			}
			if op.O == "del" {
				el["deleted"] = true
			}
			el["v"], el["by"], el["at"] = op.V, m.By, float64(m.At)
			if dx, dy := num(el["x"])-px, num(el["y"])-py; op.O == "patch" && live && el["deleted"] != true && el["type"] == "frame" && (dx != 0 || dy != 0) {
				d.carry(op.ID, dx, dy, placed, m)
			}
		default:
			return fmt.Errorf("seq %d: unknown op %q", m.Seq, op.O)
		}
	}
	d.Seq = m.Seq
	return nil
}

// carry moves the live elements in frame id by (dx, dy), as the protocol says moving a
// frame does (docs/protocol.md, "Frames"), except those the batch places itself.
func (d *Doc) carry(id string, dx, dy float64, placed map[string]bool, m *Msg) {
	for mid, el := range d.Els {
		if el["frame"] != id || el["deleted"] == true || placed[mid] {
			continue
		}
		el["x"], el["y"] = num(el["x"])+dx, num(el["y"])+dy
		el["v"], el["by"], el["at"] = num(el["v"])+1, m.By, float64(m.At)
	}
}

// num is a JSON number field, absent being 0.
func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// Canonical returns the elements as JSON sorted by id, with zero-valued fields dropped,
// so two docs compare equal exactly when they hold the same board.
func (d *Doc) Canonical() string {
	ids := make([]string, 0, len(d.Els))
	for id := range d.Els {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		el := map[string]any{}
		for k, v := range d.Els[id] {
			if v == nil || v == "" || v == false || v == 0.0 {
				continue
			}
			el[k] = v
		}
		out = append(out, el)
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// Live returns how many elements are not deleted.
func (d *Doc) Live() int {
	n := 0
	for _, el := range d.Els {
		if el["deleted"] != true {
			n++
		}
	}
	return n
}
