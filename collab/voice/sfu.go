// Package voice is Tabula's voice chat: an audio-only Selective Forwarding Unit built on
// pion. Each person in a board's call has one PeerConnection to the server; the server
// forwards their Opus audio to everyone else in the same board's call, and renegotiates
// (server-side offers) when people come and go. Signalling rides the board's WebSocket
// as voice messages (docs/protocol.md, "Voice").
//
// A board's call is a room with one goroutine that owns its people and does every
// PeerConnection operation; pion's callbacks only queue events for it. Audio does not
// pass through the room: each person's packets go from a reader goroutine straight to
// the tracks that send them to the others.
package voice

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"tabula/collab"
	"tabula/collab/wire"

	"tabula/collab/owner"
)

// Config tunes an SFU. The zero value works on a host with a public address.
type Config struct {
	// MaxPeople is the most people in one board's call (default 50).
	MaxPeople int
	// ICEServers are the STUN and TURN servers browsers are told to use. The server
	// uses the STUN ones itself to learn its public address.
	ICEServers []wire.ICEServer
	// TURN, when set, is an embedded TURN server; every join gets credentials for it.
	TURN *TURN
	// PublicIPs are announced instead of the host's own addresses (a 1:1 NAT, such as a
	// cloud instance's public IP).
	PublicIPs []string
	// UDPAddr, when set, is the one UDP address all voice traffic uses (e.g. ":50000").
	// Otherwise each call gets ports of its own, from PortMin-PortMax when set.
	UDPAddr          string
	PortMin, PortMax uint16
	// Loopback limits ICE to loopback addresses, for tests and trying it on one machine.
	Loopback bool
	// ConnectTimeout is how long someone who joined has to get connected (default 30 s).
	ConnectTimeout time.Duration
	// ICE timeouts: a connection with no traffic for Disconnected is disconnected, and
	// after Failed it has failed and the person is removed. Zero means pion's defaults
	// (5 s and 25 s, keep-alives every 2 s).
	Disconnected, Failed, KeepAlive time.Duration
	Logger                          *slog.Logger
}

// DefaultMaxPeople is the default cap on a board's call.
const DefaultMaxPeople = 50

// SFU is the voice service of a server: one room per board with a call.
type SFU struct {
	cfg  Config
	api  *webrtc.API
	mux  ice.UDPMux
	stun []webrtc.ICEServer // what the server's own PeerConnections use
	log  *slog.Logger

	rooms *owner.Group[*room] // one goroutine per board with a call

	mu     sync.Mutex
	closed bool

	wg    sync.WaitGroup // packet pumps, closing PeerConnections
	stats counters
}

var _ collab.VoiceSFU = (*SFU)(nil)

// counters are running totals for Stats.
type counters struct {
	people    atomic.Int64
	packetsIn atomic.Int64
	forwarded atomic.Int64
}

// Stats is a snapshot of the SFU's counters.
type Stats struct {
	Rooms, People        int
	PacketsIn, Forwarded int64 // audio packets received, and sent on to others
}

// New starts an SFU. Returns an error when the UDP address cannot be bound or the ICE
// settings are contradictory.
func New(cfg Config) (*SFU, error) {
	if cfg.MaxPeople <= 0 {
		cfg.MaxPeople = DefaultMaxPeople
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	f := &SFU{cfg: cfg, log: cfg.Logger}
	f.rooms = owner.New(func(id string) *room { return newRoom(f, id) }, (*room).runGuarded)

	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: opus, PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, fmt.Errorf("register opus: %w", err)
	}
	if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: sdp.AudioLevelURI}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, fmt.Errorf("register audio level: %w", err)
	}
	// Sender and receiver reports only: no NACK (browsers do not retransmit Opus) and no
	// congestion control (an audio stream is a few kbit/s), so forwarding stays cheap.
	reg := &interceptor.Registry{}
	if err := webrtc.ConfigureRTCPReports(reg); err != nil {
		return nil, fmt.Errorf("rtcp reports: %w", err)
	}

	var se webrtc.SettingEngine
	se.LoggerFactory = pionLogs{cfg.Logger}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	if cfg.Disconnected > 0 || cfg.Failed > 0 || cfg.KeepAlive > 0 {
		se.SetICETimeouts(cfg.Disconnected, cfg.Failed, cfg.KeepAlive)
	}
	if cfg.Loopback {
		se.SetIncludeLoopbackCandidate(true)
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
		se.SetRemoteIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	}
	if len(cfg.PublicIPs) > 0 {
		if err := se.SetICEAddressRewriteRules(webrtc.ICEAddressRewriteRule{External: cfg.PublicIPs, AsCandidateType: webrtc.ICECandidateTypeHost}); err != nil {
			return nil, fmt.Errorf("public ip: %w", err)
		}
	}
	if cfg.PortMin > 0 || cfg.PortMax > 0 {
		if err := se.SetEphemeralUDPPortRange(cfg.PortMin, cfg.PortMax); err != nil {
			return nil, fmt.Errorf("udp port range %d-%d: %w", cfg.PortMin, cfg.PortMax, err)
		}
	}
	if cfg.UDPAddr != "" {
		conn, err := net.ListenPacket("udp", cfg.UDPAddr)
		if err != nil {
			return nil, fmt.Errorf("voice udp %s: %w", cfg.UDPAddr, err)
		}
		f.mux = webrtc.NewICEUDPMux(pionLogs{cfg.Logger}.NewLogger("udpmux"), conn)
		se.SetICEUDPMux(f.mux)
	}
	for _, s := range cfg.ICEServers {
		for _, u := range s.URLs {
			if strings.HasPrefix(u, "stun:") || strings.HasPrefix(u, "stuns:") {
				f.stun = append(f.stun, webrtc.ICEServer{URLs: []string{u}})
			}
		}
	}
	f.api = webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se))
	return f, nil
}

// opus is the one codec of every call.
var opus = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"}

// Signal handles a voice message from s. Refusals that need no room are answered here,
// on the session's goroutine; the rest is the room's.
func (f *SFU) Signal(s *collab.Session, m *wire.Message) {
	v := m.Voice
	if v.Op == wire.VoiceViewers {
		// The board's room changed the setting; people already in the call may have to go.
		if !v.Allow {
			f.post(s.Board.ID, false, event{kind: evViewersOff})
		}
		return
	}
	if v.Op == wire.VoiceJoin && !s.MayTalk() {
		s.Send(errorFrame(wire.EVoiceOff, "the editors of this board have turned voice off for viewers"))
		return
	}
	// Only a join starts a room; anything else for a board with no call is from
	// someone not in it.
	if !f.post(s.Board.ID, v.Op == wire.VoiceJoin, event{kind: evSignal, s: s, sig: v}) {
		switch {
		case v.Op == wire.VoiceLeave:
		case f.isClosed():
			s.Send(errorFrame(wire.EVoiceOff, "the server is shutting down"))
		default:
			s.Send(errorFrame(wire.EVoiceNotJoined, "you are not in voice on this board; send join first"))
		}
	}
}

// Leave takes s out of its board's call, if it is in one.
func (f *SFU) Leave(s *collab.Session) {
	f.post(s.Board.ID, false, event{kind: evLeave, s: s})
}

// post queues ev for board's room, starting the room if start is set. Reports whether
// a room took it.
func (f *SFU) post(board string, start bool, ev event) bool {
	return f.rooms.Use(board, start, func(r *room) { r.post(ev) })
}

// drop forgets r if nothing is waiting for it; the room then stops. Called by r.
func (f *SFU) drop(r *room) bool {
	return f.rooms.Remove(r.id, func(*room) bool { return r.idle() })
}

func (f *SFU) isClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// Close hangs up every call, telling each person why, and returns when every
// PeerConnection, goroutine and socket of the SFU is gone.
func (f *SFU) Close() {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		f.rooms.Wait()
		f.wg.Wait()
		return
	}
	f.closed = true
	f.mu.Unlock()
	f.rooms.Close(func(r *room) { r.post(event{kind: evClose}) })
	f.rooms.Wait()
	f.wg.Wait()
	var errs []error
	if f.mux != nil {
		errs = append(errs, f.mux.Close())
	}
	if f.cfg.TURN != nil {
		errs = append(errs, f.cfg.TURN.Close())
	}
	if err := errors.Join(errs...); err != nil {
		f.log.Warn("voice: close", "err", err)
	}
}

// Stats returns the SFU's counters now.
func (f *SFU) Stats() Stats {
	rooms := f.rooms.Len()
	return Stats{Rooms: rooms, People: int(f.stats.people.Load()), PacketsIn: f.stats.packetsIn.Load(), Forwarded: f.stats.forwarded.Load()}
}

// iceFor is the ICE servers a person is told to use: the configured ones and, with an
// embedded TURN server, fresh credentials for it.
func (f *SFU) iceFor(sid string) []wire.ICEServer {
	out := append([]wire.ICEServer(nil), f.cfg.ICEServers...)
	if f.cfg.TURN != nil {
		out = append(out, f.cfg.TURN.Credentials(sid))
	}
	return out
}

// ParsePortRange reads "MIN-MAX" (e.g. "50000-50100").
func ParsePortRange(s string) (lo, hi uint16, err error) {
	a, b, ok := strings.Cut(s, "-")
	x, err1 := strconv.ParseUint(strings.TrimSpace(a), 10, 16)
	y, err2 := strconv.ParseUint(strings.TrimSpace(b), 10, 16)
	if !ok || err1 != nil || err2 != nil || x == 0 || y < x {
		return 0, 0, fmt.Errorf("a port range is MIN-MAX with 1 <= MIN <= MAX <= 65535, not %q", s)
	}
	return uint16(x), uint16(y), nil
}
