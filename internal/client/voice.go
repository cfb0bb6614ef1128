package client

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/logging"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
	"github.com/pion/webrtc/v4"

	"tabula/collab/wire"
)

// VoiceOptions tune a Go voice participant.
type VoiceOptions struct {
	// Loopback keeps ICE on loopback addresses (tests and the load tool run on one
	// machine and must not send anything elsewhere).
	Loopback bool
	// Disconnected, Failed and KeepAlive are ICE timeouts, as in pion; zero for pion's.
	Disconnected, Failed, KeepAlive time.Duration
	// Logs, when set, gets pion's logs; they are dropped otherwise.
	Logs logging.LoggerFactory
}

// Voice is a Go participant in a board's voice chat (docs/protocol.md, "Voice"): a pion
// PeerConnection signalled over the board's WebSocket. It sends generated audio packets
// whose payload starts with its session id, and counts what it receives by the session
// id in each payload, so a test can tell whose audio arrived. Used by the end-to-end
// tests and the voice benchmark.
//
// Once a Voice is started it alone reads the connection; other messages go to Others.
type Voice struct {
	c   *Conn
	sid string
	api *webrtc.API

	wmu sync.Mutex // the WebSocket allows one writer at a time

	// Others gets every message that is not a voice signal (errors included, which
	// State also keeps).
	Others chan *Msg

	mu      sync.Mutex
	changed chan struct{}
	pc      *webrtc.PeerConnection
	mic     *webrtc.TrackLocalStaticRTP
	state   VoiceState
	readErr error
	done    chan struct{}
	wg      sync.WaitGroup
	stopTx  chan struct{}

	auto atomic.Bool // Join was called: offer when the server is ready

	frozen atomic.Bool // Freeze was called: the UDP sockets neither send nor receive
}

// VoiceState is what a Voice has seen so far.
type VoiceState struct {
	Ready     bool             // the server accepted join
	ICE       []wire.ICEServer // the ICE servers the server gave
	Connected bool
	Left      string          // the server ended our part in the call, and why
	From      map[string]int  // audio packets received, by the sender's session id
	Streams   map[string]bool // remote streams (session ids) the last negotiation carries
	Offers    int             // offers received from the server
	Errors    []*Msg
	Sent      int   // audio packets sent
	Viewers   *bool // the board's "viewers may use voice" setting, when it changed
}

// NewVoice takes over reading c, whose session id is sid. Call Join to enter the call.
func NewVoice(c *Conn, sid string, opts VoiceOptions) (*Voice, error) {
	v := &Voice{c: c, sid: sid, Others: make(chan *Msg, 1024), changed: make(chan struct{}, 1),
		done: make(chan struct{}), stopTx: make(chan struct{})}
	var se webrtc.SettingEngine
	if opts.Loopback {
		std, err := stdnet.NewNet()
		if err != nil {
			return nil, err
		}
		se.SetNet(gatedNet{Net: std, shut: &v.frozen})
	}
	api, err := voiceAPI(se, opts)
	if err != nil {
		return nil, err
	}
	v.api = api
	v.state.From = map[string]int{}
	v.state.Streams = map[string]bool{}
	v.wg.Add(1)
	go v.read()
	return v, nil
}

func voiceAPI(se webrtc.SettingEngine, opts VoiceOptions) (*webrtc.API, error) {
	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: voiceCodec, PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: sdp.AudioLevelURI}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	reg := &interceptor.Registry{}
	if err := webrtc.ConfigureRTCPReports(reg); err != nil {
		return nil, err
	}
	se.LoggerFactory = opts.Logs
	if se.LoggerFactory == nil {
		quiet := logging.NewDefaultLoggerFactory()
		quiet.DefaultLogLevel = logging.LogLevelDisabled
		se.LoggerFactory = quiet
	}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if opts.Disconnected > 0 || opts.Failed > 0 || opts.KeepAlive > 0 {
		se.SetICETimeouts(opts.Disconnected, opts.Failed, opts.KeepAlive)
	}
	if opts.Loopback {
		se.SetIncludeLoopbackCandidate(true)
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
		se.SetRemoteIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(reg), webrtc.WithSettingEngine(se)), nil
}

var voiceCodec = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"}

// Send writes one message; safe from any goroutine.
func (v *Voice) Send(msg any) error {
	v.wmu.Lock()
	defer v.wmu.Unlock()
	return v.c.Send(msg)
}

// SendRaw writes one frame as given; safe from any goroutine.
func (v *Voice) SendRaw(b []byte) error {
	v.wmu.Lock()
	defer v.wmu.Unlock()
	return v.c.SendRaw(b)
}

// Join asks to join the call; when the server is ready, the offer follows by itself.
// (A join sent with SendRaw is not followed by an offer.)
func (v *Voice) Join() error {
	v.auto.Store(true)
	return v.Send(wire.Signal{T: wire.MsgVoice, Op: wire.VoiceJoin})
}

// Leave leaves the call and closes the PeerConnection.
func (v *Voice) Leave() error {
	err := v.Send(wire.Signal{T: wire.MsgVoice, Op: wire.VoiceLeave})
	v.hangUp()
	return err
}

// Mute tells the server we are muted (or not).
func (v *Voice) Mute(on bool) error {
	return v.Send(wire.Signal{T: wire.MsgVoice, Op: wire.VoiceMute, Muted: &on})
}

// State returns a copy of what the Voice has seen.
func (v *Voice) State() VoiceState {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := v.state
	s.From = make(map[string]int, len(v.state.From))
	for k, n := range v.state.From {
		s.From[k] = n
	}
	s.Streams = make(map[string]bool, len(v.state.Streams))
	for k, b := range v.state.Streams {
		s.Streams[k] = b
	}
	s.Errors = append([]*Msg(nil), v.state.Errors...)
	return s
}

// Wait returns when cond holds for the state, or an error naming what after timeout.
func (v *Voice) Wait(what string, timeout time.Duration, cond func(VoiceState) bool) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		s := v.State()
		if cond(s) {
			return nil
		}
		select {
		case <-v.changed:
		case <-v.done:
			if cond(v.State()) {
				return nil
			}
			return fmt.Errorf("waiting for %s: connection closed (%v); state %+v", what, v.readErr, summary(v.State()))
		case <-t.C:
			return fmt.Errorf("waiting for %s: timed out; state %+v", what, summary(v.State()))
		}
	}
}

func summary(s VoiceState) string {
	var errs []string
	for _, e := range s.Errors {
		errs = append(errs, e.Code+": "+e.Message)
	}
	return fmt.Sprintf("ready=%v connected=%v left=%q from=%v streams=%v offers=%d sent=%d errors=%v",
		s.Ready, s.Connected, s.Left, s.From, s.Streams, s.Offers, s.Sent, errs)
}

func (v *Voice) update(fn func(*VoiceState)) {
	v.mu.Lock()
	fn(&v.state)
	v.mu.Unlock()
	select {
	case v.changed <- struct{}{}:
	default:
	}
}

// read handles the server's messages until the connection ends.
func (v *Voice) read() {
	defer v.wg.Done()
	defer close(v.done)
	for {
		m, err := v.c.Read(time.Now().Add(time.Hour))
		if err != nil {
			v.mu.Lock()
			v.readErr = err
			v.mu.Unlock()
			return
		}
		if m.T != "voice" {
			if m.T == "error" {
				v.update(func(s *VoiceState) { s.Errors = append(s.Errors, m) })
			}
			select {
			case v.Others <- m:
			default: // nobody is reading them: drop
			}
			continue
		}
		var w wire.Signal
		if err := json.Unmarshal(m.Raw, &w); err != nil {
			continue
		}
		v.signal(&w)
	}
}

func (v *Voice) signal(w *wire.Signal) {
	switch w.Op {
	case wire.VoiceReady:
		v.update(func(s *VoiceState) { s.Ready, s.ICE, s.Left = true, w.ICE, "" })
		if !v.auto.Load() {
			return
		}
		if err := v.offer(); err != nil {
			v.update(func(s *VoiceState) {
				s.Errors = append(s.Errors, &Msg{T: "error", Code: "client", Message: err.Error()})
			})
		}
	case wire.VoiceAnswer:
		if pc := v.conn(); pc != nil {
			if pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: w.SDP}) == nil {
				v.noteStreams(w.SDP)
			}
		}
	case wire.VoiceOffer:
		pc := v.conn()
		if pc == nil || pc.SignalingState() != webrtc.SignalingStateStable {
			return // an offer for a call we left, or before our join was answered
		}
		v.update(func(s *VoiceState) { s.Offers++ })
		if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: w.SDP}); err != nil {
			return
		}
		answer, err := pc.CreateAnswer(nil)
		if err == nil {
			err = pc.SetLocalDescription(answer)
		}
		if err == nil {
			_ = v.Send(wire.Signal{T: wire.MsgVoice, Op: wire.VoiceAnswer, SDP: answer.SDP})
		}
		v.noteStreams(w.SDP)
	case wire.VoiceCandidate:
		if pc := v.conn(); pc != nil && w.Candidate != nil && *w.Candidate != "" {
			_ = pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: *w.Candidate, SDPMid: w.Mid})
		}
	case wire.VoiceLeft:
		v.hangUp()
		v.update(func(s *VoiceState) { s.Left = w.Msg; s.Ready = false })
	case "viewers":
		v.update(func(s *VoiceState) { s.Viewers = w.Allow })
	}
}

func (v *Voice) conn() *webrtc.PeerConnection {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.pc
}

// noteStreams records which remote streams the server's last description carries.
func (v *Voice) noteStreams(remote string) {
	streams := map[string]bool{}
	var parsed sdp.SessionDescription
	if parsed.UnmarshalString(remote) == nil {
		for _, m := range parsed.MediaDescriptions {
			sending := true
			var msid string
			for _, a := range m.Attributes {
				switch a.Key {
				case "recvonly", "inactive":
					sending = false
				case "msid":
					msid, _, _ = strings.Cut(a.Value, " ")
				}
			}
			if sending && msid != "" && msid != "-" {
				streams[msid] = true
			}
		}
	}
	v.update(func(s *VoiceState) { s.Streams = streams })
}

// offer starts the PeerConnection with a microphone track and sends the join offer.
func (v *Voice) offer() error {
	v.hangUp()
	pc, err := v.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return err
	}
	mic, err := webrtc.NewTrackLocalStaticRTP(voiceCodec, "mic", v.sid)
	if err != nil {
		return err
	}
	if _, err := pc.AddTransceiverFromTrack(mic, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv}); err != nil {
		return err
	}
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c == nil {
			return
		}
		j := c.ToJSON()
		_ = v.Send(wire.Signal{T: wire.MsgVoice, Op: wire.VoiceCandidate, Candidate: &j.Candidate, Mid: j.SDPMid})
	})
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		v.update(func(st *VoiceState) { st.Connected = s == webrtc.PeerConnectionStateConnected })
	})
	pc.OnTrack(func(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		v.wg.Add(1)
		go func() {
			defer v.wg.Done()
			v.receive(t)
		}()
	})
	offer, err := pc.CreateOffer(nil)
	if err == nil {
		err = pc.SetLocalDescription(offer)
	}
	if err != nil {
		pc.Close()
		return err
	}
	v.mu.Lock()
	v.pc, v.mic = pc, mic
	v.mu.Unlock()
	return v.Send(wire.Signal{T: wire.MsgVoice, Op: wire.VoiceOffer, SDP: offer.SDP})
}

// receive counts a remote track's packets by the sender named in each payload.
func (v *Voice) receive(t *webrtc.TrackRemote) {
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	for {
		n, _, err := t.Read(buf)
		if err != nil {
			return
		}
		if pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		from, _, ok := strings.Cut(string(pkt.Payload), "|")
		if !ok {
			from = "?"
		}
		v.update(func(s *VoiceState) { s.From[from]++ })
	}
}

// Talk sends a packet every interval until StopTalking or the call ends: an Opus-sized
// payload starting with our session id, and an audio level (loud, or silent when
// level is 127) in the ssrc-audio-level extension.
func (v *Voice) Talk(interval time.Duration, level uint8) {
	v.wg.Add(1)
	go func() {
		defer v.wg.Done()
		tick := time.NewTicker(interval)
		defer tick.Stop()
		var seq uint16
		var ts uint32
		payload := make([]byte, 80)
		for {
			select {
			case <-tick.C:
			case <-v.stopTx:
				return
			case <-v.done:
				return
			}
			v.mu.Lock()
			mic, pc := v.mic, v.pc
			v.mu.Unlock()
			if mic == nil || pc == nil {
				continue
			}
			seq++
			ts += 960
			n := copy(payload, v.sid+"|")
			binary.BigEndian.PutUint16(payload[n:], seq)
			pkt := rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: ts}, Payload: payload}
			if id := audioLevelID(pc); id != 0 {
				_ = pkt.Header.SetExtension(id, []byte{level & 0x7f})
			}
			if err := mic.WriteRTP(&pkt); err == nil {
				v.update(func(s *VoiceState) { s.Sent++ })
			}
		}
	}()
}

// StopTalking stops what Talk started.
func (v *Voice) StopTalking() {
	select {
	case <-v.stopTx:
	default:
		close(v.stopTx)
	}
}

func audioLevelID(pc *webrtc.PeerConnection) uint8 {
	for _, t := range pc.GetTransceivers() {
		if s := t.Sender(); s != nil {
			for _, h := range s.GetParameters().HeaderExtensions {
				if h.URI == sdp.AudioLevelURI {
					return uint8(h.ID)
				}
			}
		}
	}
	return 0
}

// HangUp closes the PeerConnection without telling the server (as a crashed client
// would, though its DTLS layer still says goodbye).
func (v *Voice) HangUp() { v.hangUp() }

// Freeze makes the participant vanish from the network: nothing more is sent or
// received on its UDP socket, as when a laptop's network goes. Only with Loopback.
func (v *Voice) Freeze() { v.frozen.Store(true) }

// hangUp closes the PeerConnection, if any.
func (v *Voice) hangUp() {
	v.mu.Lock()
	pc := v.pc
	v.pc, v.mic = nil, nil
	v.mu.Unlock()
	if pc != nil {
		_ = pc.Close()
	}
	v.update(func(s *VoiceState) { s.Connected = false })
}

// Close hangs up, closes the WebSocket and waits for every goroutine of the Voice.
func (v *Voice) Close() error {
	v.StopTalking()
	v.hangUp()
	err := v.c.WS.Close()
	v.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// gatedNet is the host's network, except that every UDP socket it opens goes silent
// once shut is set (Freeze).
type gatedNet struct {
	*stdnet.Net
	shut *atomic.Bool
}

func (n gatedNet) ListenUDP(network string, addr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := n.Net.ListenUDP(network, addr)
	if err != nil {
		return nil, err
	}
	return &gatedUDP{UDPConn: c, shut: n.shut}, nil
}

func (n gatedNet) ListenPacket(network, address string) (net.PacketConn, error) {
	c, err := n.Net.ListenPacket(network, address)
	if err != nil {
		return nil, err
	}
	if u, ok := c.(transport.UDPConn); ok {
		return &gatedUDP{UDPConn: u, shut: n.shut}, nil
	}
	return c, nil
}

// gatedUDP drops what is written and discards what is read while shut is set.
type gatedUDP struct {
	transport.UDPConn
	shut *atomic.Bool
}

func (g *gatedUDP) Write(b []byte) (int, error) {
	if g.shut.Load() {
		return len(b), nil
	}
	return g.UDPConn.Write(b)
}

func (g *gatedUDP) WriteTo(b []byte, addr net.Addr) (int, error) {
	if g.shut.Load() {
		return len(b), nil
	}
	return g.UDPConn.WriteTo(b, addr)
}

func (g *gatedUDP) WriteToUDP(b []byte, addr *net.UDPAddr) (int, error) {
	if g.shut.Load() {
		return len(b), nil
	}
	return g.UDPConn.WriteToUDP(b, addr)
}

func (g *gatedUDP) WriteMsgUDP(b, oob []byte, addr *net.UDPAddr) (int, int, error) {
	if g.shut.Load() {
		return len(b), len(oob), nil
	}
	return g.UDPConn.WriteMsgUDP(b, oob, addr)
}

func (g *gatedUDP) Read(b []byte) (int, error) {
	for {
		n, err := g.UDPConn.Read(b)
		if err != nil || !g.shut.Load() {
			return n, err
		}
	}
}

func (g *gatedUDP) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		n, addr, err := g.UDPConn.ReadFrom(b)
		if err != nil || !g.shut.Load() {
			return n, addr, err
		}
	}
}

func (g *gatedUDP) ReadFromUDP(b []byte) (int, *net.UDPAddr, error) {
	for {
		n, addr, err := g.UDPConn.ReadFromUDP(b)
		if err != nil || !g.shut.Load() {
			return n, addr, err
		}
	}
}

func (g *gatedUDP) ReadMsgUDP(b, oob []byte) (int, int, int, *net.UDPAddr, error) {
	for {
		n, oobn, flags, addr, err := g.UDPConn.ReadMsgUDP(b, oob)
		if err != nil || !g.shut.Load() {
			return n, oobn, flags, addr, err
		}
	}
}
