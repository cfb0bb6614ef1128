package wire

import (
	"errors"
	"fmt"
)

// Error codes. Those sent to clients are documented in docs/protocol.md; app maps the
// rest to HTTP statuses.
const (
	ENotFound        = "not_found"
	EBadJSON         = "bad_json"
	EUnknownMessage  = "unknown_message"
	ENeedHello       = "need_hello"
	EBadMessage      = "bad_message"
	EBadOp           = "bad_op"
	EUnknownField    = "unknown_field"
	EBadValue        = "bad_value"
	ETooManyPoints   = "too_many_points"
	ETextTooLong     = "text_too_long"
	ETooManyOps      = "too_many_ops"
	ETooManyElements = "too_many_elements"
	EViewOnly        = "view_only"
	ETooBig          = "too_big"
	EInternal        = "internal"
	ETrashed         = "trashed"
	ELinkReplaced    = "link_replaced"
	EVoiceOff        = "voice_off"
	EVoiceFull       = "voice_full"
	EVoiceNotJoined  = "voice_not_joined"
	EVoiceBadSDP     = "voice_bad_sdp"
	EVoiceFailed     = "voice_failed"
	ERateLimited     = "rate_limited"
	EBadFrame        = "bad_frame"
	EPresenting      = "presenting"
	ENotPresenter    = "not_presenter"
	EBadPage         = "bad_page"
	ETooManyPages    = "too_many_pages"
)

// Error is a failure the client caused or can act on. Msg is safe to show to the user.
type Error struct {
	Code string
	Msg  string
}

func (e *Error) Error() string { return e.Code + ": " + e.Msg }

// Errorf returns an *Error with code and a message formatted as fmt.Sprintf does.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, else EInternal.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of err: its own for an *Error, and
// "internal error" for anything else, so that Go error text never reaches a user.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return "internal error"
}
