package wire

import "math"

// Limits bound what one client can make the server hold or do. The zero value is not
// useful; start from DefaultLimits and override what an operator configured.
type Limits struct {
	// MaxPoints is the most points one stroke, line or arrow may have. A freehand stroke
	// sampled at 240 Hz for 40 s stays under the default.
	MaxPoints int
	// MaxText is the most bytes of UTF-8 in one element's text.
	MaxText int
	// MaxBatch is the most ops in one ops message.
	MaxBatch int
	// MaxElements is the most live (not deleted) elements one board may hold.
	MaxElements int
	// MaxMessage is the largest client frame in bytes; larger frames close the connection
	// with 1009.
	MaxMessage int
}

// DefaultLimits are the limits a server runs with unless configured otherwise.
var DefaultLimits = Limits{
	MaxPoints:   10_000,
	MaxText:     20_000,
	MaxBatch:    5_000,
	MaxElements: 50_000,
	MaxMessage:  1 << 20,
}

const (
	// MaxCoord bounds every coordinate and size. Far beyond any drawing, small enough
	// that float32 rendering and sums of coordinates never overflow.
	MaxCoord = 1e7
	// MaxIDLen is the longest element, group or cid id.
	MaxIDLen = 32
	// MaxCIDLen is the longest client batch id.
	MaxCIDLen = 64
	// MaxZLen is the longest fractional index.
	MaxZLen = 64
	// MaxWidth is the widest stroke.
	MaxWidth = 100
	// MaxFontSize is the largest font size.
	MaxFontSize = 1000
	// MaxTitle is the longest board title, in characters.
	MaxTitle = 200
	// MaxFrameName is the longest frame name, in characters.
	MaxFrameName = 200
	// MaxPageName is the longest page name, in characters.
	MaxPageName = 200
	// MaxPages is how many pages a board may hold (page elements not deleted).
	MaxPages = 100
	// MaxName is the longest display name, in characters.
	MaxName = 40
	// MaxErrors is how many refused messages one connection may send before it is closed
	// (1008): a client that keeps sending garbage is broken or hostile.
	MaxErrors = 20
	// EphemeralRate and EphemeralBurst limit cursor, preview and laser messages per
	// connection (tokens per second, bucket size). Excess is dropped silently.
	EphemeralRate  = 30
	EphemeralBurst = 60
)

// StoredLimits are used to read back what the server itself wrote: limits may have been
// lowered since, and stored data must load regardless.
var StoredLimits = Limits{MaxPoints: math.MaxInt, MaxText: math.MaxInt, MaxBatch: math.MaxInt, MaxElements: math.MaxInt, MaxMessage: math.MaxInt}
