package wire

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Client message types (docs/protocol.md).
const (
	MsgHello   = "hello"
	MsgOps     = "ops"
	MsgTitle   = "title"
	MsgCanvas  = "canvas"
	MsgCursor  = "cursor"
	MsgPreview = "preview"
	MsgLaser   = "laser"
	MsgName    = "name"
	MsgView    = "view"
	MsgVoice   = "voice"
	MsgPresent = "present"
)

// Voice operations: the op of a voice message (docs/protocol.md, "Voice").
const (
	VoiceJoin      = "join"
	VoiceOffer     = "offer"
	VoiceAnswer    = "answer"
	VoiceCandidate = "candidate"
	VoiceMute      = "mute"
	VoiceLeave     = "leave"
	VoiceViewers   = "viewers"
)

// ProtocolVersion is the protocol version this server speaks.
const ProtocolVersion = 1

// OpKind says what an op does.
type OpKind uint8

// Op kinds.
const (
	OpPut OpKind = iota + 1
	OpPatch
	OpDel
)

// Op is one validated change to a board. For a put, El is the element to store; for a
// patch, Set holds the fields to change. V is the element's version after the op, filled
// in when a room applies it.
type Op struct {
	Kind OpKind
	ID   string
	El   *Element
	Set  *Fields
	V    int64
}

// Message is a decoded and validated client message. Only the fields of its Type are set.
type Message struct {
	Type  string
	Since int64
	Name  string
	Color string
	CID   string
	Ops   []Op
	Title string
	X, Y  float64
	W, H  float64  // view
	El    *Element // preview
	ID    string   // preview end
	End   bool
	Page  string // cursor, laser, view: the page the sender is on; "" for the first
	Voice *VoiceSignal

	Canvas string // canvas: a CanvasColors id
	Op     string // present: what to do (PresentStart, …)

	Received int64 // unix ns the frame was read (ops), for the server's latency figures
	Size     int   // bytes of the frame (ops, title, canvas), for the op rate limits
}

type wireMsg struct {
	T     string   `json:"t"`
	V     int      `json:"v"`
	Since int64    `json:"since"`
	Name  string   `json:"name"`
	Color string   `json:"color"`
	CID   string   `json:"cid"`
	Ops   []RawOp  `json:"ops"`
	Title *string  `json:"title"`
	X     *float64 `json:"x"`
	Y     *float64 `json:"y"`
	W     *float64 `json:"w"`
	H     *float64 `json:"h"`
	El    *Fields  `json:"el"`
	ID    string   `json:"id"`
	End   bool     `json:"end"`
	Page  string   `json:"page"` // cursor, laser, view: the page the sender is on

	// Only in stored frames (wireMsg.decodeStored).
	Seq int64  `json:"-"`
	By  string `json:"-"`
	At  int64  `json:"-"`

	Op        string  `json:"op"`
	SDP       *string `json:"sdp"`
	Candidate *string `json:"candidate"`
	Mid       *string `json:"mid"`
	Muted     *bool   `json:"muted"`
	Allow     *bool   `json:"allow"`

	Canvas *string `json:"canvas"`
}

// RawOp is an op as read from a frame, before it is checked (Decode).
type RawOp struct {
	O   string  `json:"o"`
	ID  string  `json:"id"`
	El  *Fields `json:"el"`
	Set *Fields `json:"set"`
}

// DecodeMessage parses and validates one client frame. On error it returns an *Error;
// the returned Message still carries Type and CID when they could be read, so that a
// refused batch can be named in the reply.
func DecodeMessage(data []byte, lim *Limits) (*Message, error) {
	var w wireMsg
	if err := w.decode(data, lim); err != nil {
		return &Message{Type: w.T, CID: w.CID}, err
	}
	return w.message(lim)
}

// message validates a decoded frame.
func (w *wireMsg) message(lim *Limits) (*Message, error) {
	m := &Message{Type: w.T}
	var err error
	switch w.T {
	case MsgHello:
		err = m.hello(w)
	case MsgOps:
		m.CID = w.CID
		err = m.ops(w, lim)
	case MsgTitle:
		if w.Title == nil {
			return m, Errorf(EBadMessage, "title message needs a title")
		}
		m.Title, err = CleanTitle(*w.Title)
	case MsgCanvas:
		if w.Canvas == nil {
			return m, Errorf(EBadMessage, "canvas message needs a canvas")
		}
		m.Canvas, err = CleanCanvas("canvas", *w.Canvas)
	case MsgCursor, MsgLaser:
		err = m.point(w)
	case MsgName:
		err = m.hello(w)
	case MsgView:
		if err = m.point(w); err == nil {
			if w.W == nil || w.H == nil || !finiteIn(*w.W, 1e-9, MaxCoord) || !finiteIn(*w.H, 1e-9, MaxCoord) {
				err = Errorf(EBadValue, "view needs a positive w and h within %g", float64(MaxCoord))
			} else {
				m.W, m.H = *w.W, *w.H
			}
		}
	case MsgPreview:
		err = m.preview(w, lim)
	case MsgVoice:
		err = m.voice(w)
	case MsgPresent:
		err = m.present(w)
	case "":
		err = Errorf(EUnknownMessage, "message has no type (t)")
	default:
		err = Errorf(EUnknownMessage, "unknown message type %q", Clip(w.T))
	}
	return m, err
}

func (m *Message) hello(w *wireMsg) error {
	if w.V > ProtocolVersion {
		return Errorf(EBadMessage, "protocol version %d is not supported; this server speaks %d", w.V, ProtocolVersion)
	}
	if w.Since < 0 {
		return Errorf(EBadMessage, "since must not be negative")
	}
	m.Since = w.Since
	m.Name = CleanName(w.Name)
	if validColor(w.Color) && (len(w.Color) == 4 || len(w.Color) == 7) {
		m.Color = w.Color
	}
	return nil
}

func (m *Message) ops(w *wireMsg, lim *Limits) error {
	if !validCID(w.CID) {
		return Errorf(EBadMessage, "ops needs a cid of 1-%d characters of A-Z a-z 0-9 _ - . :", MaxCIDLen)
	}
	if len(w.Ops) == 0 || len(w.Ops) > lim.MaxBatch {
		return Errorf(ETooManyOps, "a batch holds 1-%d ops, this one has %d", lim.MaxBatch, len(w.Ops))
	}
	m.Ops = make([]Op, len(w.Ops))
	for i := range w.Ops {
		if err := decodeOp(&w.Ops[i], &m.Ops[i], lim); err != nil {
			return err
		}
	}
	return nil
}

// Decode checks o against the protocol's rules and lim and fills op. It returns an
// *Error naming the problem.
func (o *RawOp) Decode(op *Op, lim *Limits) error { return decodeOp(o, op, lim) }

func decodeOp(w *RawOp, op *Op, lim *Limits) error {
	switch w.O {
	case "put":
		if w.El == nil || w.ID != "" || w.Set != nil {
			return Errorf(EBadOp, "a put carries el and nothing else")
		}
		e := w.El.element()
		if err := e.validate(lim); err != nil {
			return err
		}
		*op = Op{Kind: OpPut, ID: e.ID, El: e}
	case "patch":
		if !validID(w.ID) || w.Set == nil || w.El != nil {
			return Errorf(EBadOp, "a patch carries an element id and set")
		}
		if err := w.Set.validatePatch(w.ID, lim); err != nil {
			return err
		}
		*op = Op{Kind: OpPatch, ID: w.ID, Set: w.Set}
	case "del":
		if !validID(w.ID) || w.Set != nil || w.El != nil {
			return Errorf(EBadOp, "a del carries an element id and nothing else")
		}
		*op = Op{Kind: OpDel, ID: w.ID}
	default:
		return Errorf(EBadOp, "unknown op %q; ops are put, patch and del", Clip(w.O))
	}
	return nil
}

func (m *Message) point(w *wireMsg) error {
	if w.X == nil || w.Y == nil || !finiteWithin(*w.X, MaxCoord) || !finiteWithin(*w.Y, MaxCoord) {
		return Errorf(EBadValue, "%s needs x and y within ±%g", m.Type, float64(MaxCoord))
	}
	m.X, m.Y = *w.X, *w.Y
	if w.Page != "" && !validID(w.Page) {
		return Errorf(EBadValue, "%s: page must be a page id", m.Type)
	}
	m.Page = w.Page
	return nil
}

func (m *Message) preview(w *wireMsg, lim *Limits) error {
	if w.End {
		if !validID(w.ID) {
			return Errorf(EBadMessage, "preview end needs the element id")
		}
		m.ID, m.End = w.ID, true
		return nil
	}
	if w.El == nil {
		return Errorf(EBadMessage, "preview needs el or end")
	}
	e := w.El.element()
	if err := e.validate(lim); err != nil {
		return err
	}
	m.El = e
	return nil
}

func validCID(s string) bool {
	if len(s) == 0 || len(s) > MaxCIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '_' || c == '-' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// jsonError turns an encoding/json error into a client error that names the problem
// without exposing Go types.
func jsonError(err error) error {
	var own *Error
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &own):
		return own
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return Errorf(EBadJSON, "the frame is empty or cut short")
	case errors.As(err, &syn):
		return Errorf(EBadJSON, "not valid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return Errorf(EBadJSON, "a message must be a JSON object")
		}
		return Errorf(EBadValue, "field %s has the wrong type (%s)", typ.Field, typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return Errorf(EUnknownField, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return Errorf(EBadJSON, "the frame could not be read as a message")
}

// CleanName trims a display name, removes control and formatting characters (including
// bidi overrides), and cuts it to MaxName characters. An empty result is "Anonymous".
func CleanName(s string) string {
	s = cleanText(s, MaxName)
	if s == "" {
		return "Anonymous"
	}
	return s
}

// CleanTitle trims a board title and removes control and formatting characters. Returns
// EBadValue when nothing is left or it is longer than MaxTitle characters.
func CleanTitle(s string) (string, error) {
	if utf8.RuneCountInString(s) > MaxTitle {
		return "", Errorf(EBadValue, "a title has at most %d characters", MaxTitle)
	}
	s = cleanText(s, MaxTitle)
	if s == "" {
		return "", Errorf(EBadValue, "a title cannot be empty")
	}
	return s, nil
}

func cleanText(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > max {
		s = strings.TrimSpace(string([]rune(s)[:max]))
	}
	return s
}
