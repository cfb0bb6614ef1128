package wire

import "strconv"

// Fields is an element as a client sends it: in a put every field may be given, in a
// patch only those that change. A nil field is absent. One type serves both so that the
// rules for each field are written once.
type Fields struct {
	ID         *string  `json:"id"`
	Type       *string  `json:"type"`
	X          *float64 `json:"x"`
	Y          *float64 `json:"y"`
	W          *float64 `json:"w"`
	H          *float64 `json:"h"`
	Angle      *float64 `json:"angle"`
	Points     *Points  `json:"points"`
	Stroke     *string  `json:"stroke"`
	Fill       *string  `json:"fill"`
	FillStyle  *string  `json:"fillStyle"`
	Width      *float64 `json:"width"`
	Opacity    *float64 `json:"opacity"`
	Dash       *string  `json:"dash"`
	Font       *string  `json:"font"`
	Size       *float64 `json:"size"`
	Align      *string  `json:"align"`
	Text       *string  `json:"text"`
	StartArrow *string  `json:"startArrow"`
	EndArrow   *string  `json:"endArrow"`
	Curve      *string  `json:"curve"`
	StartBind  *string  `json:"startBind"`
	EndBind    *string  `json:"endBind"`
	Src        *string  `json:"src"`
	Group      *string  `json:"group"`
	Frame      *string  `json:"frame"`
	Page       *string  `json:"page"`
	Locked     *bool    `json:"locked"`
	Z          *string  `json:"z"`
	Deleted    *bool    `json:"deleted"`
	// Server-set; accepted in a put (clients may echo elements they received) and
	// ignored. A patch that sets them is refused.
	V  *int64  `json:"v"`
	By *string `json:"by"`
	At *int64  `json:"at"`
}

// element builds the element a put creates: defaults, then every given field.
func (f *Fields) element() *Element {
	e := &Element{Opacity: 1}
	if f.ID != nil {
		e.ID = *f.ID
	}
	if f.Type != nil {
		e.Type = *f.Type
	}
	f.ApplyTo(e)
	return e
}

// ApplyTo sets on e every mutable field f gives.
func (f *Fields) ApplyTo(e *Element) {
	setF(&e.X, f.X)
	setF(&e.Y, f.Y)
	setF(&e.W, f.W)
	setF(&e.H, f.H)
	setF(&e.Angle, f.Angle)
	if f.Points != nil {
		e.Points = *f.Points
	}
	setS(&e.Stroke, f.Stroke)
	setS(&e.Fill, f.Fill)
	setS(&e.FillStyle, f.FillStyle)
	setF(&e.Width, f.Width)
	setF(&e.Opacity, f.Opacity)
	setS(&e.Dash, f.Dash)
	setS(&e.Font, f.Font)
	setF(&e.Size, f.Size)
	setS(&e.Align, f.Align)
	setS(&e.Text, f.Text)
	setS(&e.StartArrow, f.StartArrow)
	setS(&e.EndArrow, f.EndArrow)
	setS(&e.Curve, f.Curve)
	setS(&e.StartBind, f.StartBind)
	setS(&e.EndBind, f.EndBind)
	setS(&e.Src, f.Src)
	setS(&e.Group, f.Group)
	setS(&e.Frame, f.Frame)
	setS(&e.Page, f.Page)
	setB(&e.Locked, f.Locked)
	setS(&e.Z, f.Z)
	setB(&e.Deleted, f.Deleted)
}

func setF(dst *float64, v *float64) {
	if v != nil {
		*dst = *v
	}
}

func setS(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func setB(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

// validatePatch checks a patch of element id: it may not change id or type or set
// server fields, and every value it sets must be valid. Fields are independent, so a
// patch that is valid here leaves any valid element valid.
func (f *Fields) validatePatch(id string, lim *Limits) error {
	switch {
	case f.ID != nil || f.Type != nil:
		return Errorf(EBadOp, "patch of %s may not change id or type", id)
	case f.V != nil:
		return Errorf(EUnknownField, "patch of %s: field v is set by the server", id)
	case f.By != nil:
		return Errorf(EUnknownField, "patch of %s: field by is set by the server", id)
	case f.At != nil:
		return Errorf(EUnknownField, "patch of %s: field at is set by the server", id)
	}
	probe := &Element{ID: id, Type: "rect", Z: "a", Opacity: 1}
	f.ApplyTo(probe)
	return probe.validate(lim)
}

// appendJSON appends the fields a patch sets, in wire form.
func (f *Fields) appendJSON(b []byte) []byte {
	b = append(b, '{')
	n := 0
	num := func(k string, v *float64) {
		if v != nil {
			b = appendKey(b, k, n)
			b = strconv.AppendFloat(b, *v, 'g', -1, 64)
			n++
		}
	}
	str := func(k string, v *string) {
		if v != nil {
			b = appendKey(b, k, n)
			b = AppendString(b, *v)
			n++
		}
	}
	boolean := func(k string, v *bool) {
		if v != nil {
			b = appendKey(b, k, n)
			b = strconv.AppendBool(b, *v)
			n++
		}
	}
	num("x", f.X)
	num("y", f.Y)
	num("w", f.W)
	num("h", f.H)
	num("angle", f.Angle)
	if f.Points != nil {
		b = appendKey(b, "points", n)
		b = f.Points.appendJSON(b)
		n++
	}
	str("stroke", f.Stroke)
	str("fill", f.Fill)
	str("fillStyle", f.FillStyle)
	num("width", f.Width)
	num("opacity", f.Opacity)
	str("dash", f.Dash)
	str("font", f.Font)
	num("size", f.Size)
	str("align", f.Align)
	str("text", f.Text)
	str("startArrow", f.StartArrow)
	str("endArrow", f.EndArrow)
	str("curve", f.Curve)
	str("startBind", f.StartBind)
	str("endBind", f.EndBind)
	str("src", f.Src)
	str("group", f.Group)
	str("frame", f.Frame)
	str("page", f.Page)
	boolean("locked", f.Locked)
	str("z", f.Z)
	boolean("deleted", f.Deleted)
	return append(b, '}')
}

func appendKey(b []byte, k string, n int) []byte {
	if n > 0 {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, k...)
	return append(b, '"', ':')
}

// Stored builds an element exactly as it was stored, server fields included.
func (f *Fields) Stored() *Element {
	e := f.element()
	if f.V != nil {
		e.V = *f.V
	}
	if f.By != nil {
		e.By = *f.By
	}
	if f.At != nil {
		e.At = *f.At
	}
	return e
}
