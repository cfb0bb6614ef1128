package program

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"tabula/collab/voice"

	"tabula/collab/wire"
)

// VoiceConfig is how voice chat runs: on or off, its cap, and how browsers reach it
// (README, "Deploying voice").
type VoiceConfig struct {
	Off        bool
	Max        int
	UDPAddr    string
	Ports      string
	PublicIPs  []string
	ICE        []string
	ICEUser    string
	ICEPass    string
	TURNAddr   string
	TURNSecret string
	TURNTTL    time.Duration
	TURNPorts  string
	Loopback   bool
	// Not flags: tests shorten the timeouts.
	Disconnected, Failed, KeepAlive, ConnectTimeout time.Duration
}

// voiceFlags registers the voice flags on f. It returns a function to call after
// f.parse, which checks what was given.
func voiceFlags(f *envFlags, v *VoiceConfig) func() error {
	str := f.str
	var on bool
	var max, ips, ice, ttl string
	f.onOff(&on, "voice", "TABULA_VOICE", true, "voice chat: on or off")
	str(&max, "voice-max", "TABULA_VOICE_MAX", strconv.Itoa(voice.DefaultMaxPeople), "most people in one board's voice chat")
	str(&v.UDPAddr, "voice-udp", "TABULA_VOICE_UDP", "", "one UDP address for all voice traffic, e.g. :50000 (open it in the firewall); default: a port per call")
	str(&v.Ports, "voice-ports", "TABULA_VOICE_PORTS", "", "UDP port range for voice when -voice-udp is not set, e.g. 50000-50100")
	str(&ips, "voice-public-ip", "TABULA_VOICE_PUBLIC_IP", "", "comma-separated public IPs to announce for voice, behind a 1:1 NAT (e.g. a cloud instance's public IP)")
	str(&ice, "voice-ice", "TABULA_VOICE_ICE", "", "comma-separated STUN/TURN URLs for browsers, e.g. stun:stun.example.com:3478,turn:turn.example.com:3478")
	str(&v.ICEUser, "voice-ice-user", "TABULA_VOICE_ICE_USER", "", "username for the turn: URLs of -voice-ice")
	str(&v.ICEPass, "voice-ice-password", "TABULA_VOICE_ICE_PASSWORD", "", "password for the turn: URLs of -voice-ice")
	str(&v.TURNAddr, "voice-turn", "TABULA_VOICE_TURN", "", "run an embedded TURN server on this UDP address, e.g. :3478 (needs -voice-public-ip)")
	str(&v.TURNSecret, "voice-turn-secret", "TABULA_VOICE_TURN_SECRET", "", "secret signing the embedded TURN server's time-limited credentials (default: random at start)")
	str(&ttl, "voice-turn-ttl", "TABULA_VOICE_TURN_TTL", "12h", "how long TURN credentials stay valid")
	f.onOff(&v.Loopback, "voice-loopback", "TABULA_VOICE_LOOPBACK", false, "on: voice uses only loopback addresses (to try voice or load-test it on one machine)")
	str(&v.TURNPorts, "voice-turn-ports", "TABULA_VOICE_TURN_PORTS", "", "UDP port range for relayed traffic, e.g. 49160-49200 (default: any)")
	return func() error {
		v.Off = !on
		n, err := strconv.Atoi(max)
		if err != nil || n <= 0 {
			return fmt.Errorf("-voice-max must be a positive integer, not %q", max)
		}
		v.Max = n
		if v.Ports != "" {
			if _, _, err := voice.ParsePortRange(v.Ports); err != nil {
				return fmt.Errorf("-voice-ports: %w", err)
			}
		}
		if v.TURNPorts != "" {
			if _, _, err := voice.ParsePortRange(v.TURNPorts); err != nil {
				return fmt.Errorf("-voice-turn-ports: %w", err)
			}
		}
		v.PublicIPs = splitList(ips)
		for _, ip := range v.PublicIPs {
			if net.ParseIP(ip) == nil {
				return fmt.Errorf("-voice-public-ip: %q is not an IP address", ip)
			}
		}
		v.ICE = splitList(ice)
		for _, u := range v.ICE {
			if !strings.HasPrefix(u, "stun:") && !strings.HasPrefix(u, "stuns:") && !strings.HasPrefix(u, "turn:") && !strings.HasPrefix(u, "turns:") {
				return fmt.Errorf("-voice-ice: %q is not a stun:, stuns:, turn: or turns: URL", u)
			}
		}
		if v.TURNTTL, err = time.ParseDuration(ttl); err != nil || v.TURNTTL <= 0 {
			return fmt.Errorf("-voice-turn-ttl must be a duration like 12h, not %q", ttl)
		}
		if v.TURNAddr != "" && len(v.PublicIPs) == 0 {
			return fmt.Errorf("-voice-turn needs -voice-public-ip: the address browsers reach the TURN server at")
		}
		return nil
	}
}

// newVoice builds the SFU (and embedded TURN server) the configuration asks for, or nil
// when voice is off.
func newVoice(v VoiceConfig, log *slog.Logger) (*voice.SFU, error) {
	if v.Off {
		return nil, nil
	}
	cfg := voice.Config{
		MaxPeople: v.Max, UDPAddr: v.UDPAddr, PublicIPs: v.PublicIPs, Loopback: v.Loopback,
		Disconnected: v.Disconnected, Failed: v.Failed, KeepAlive: v.KeepAlive, ConnectTimeout: v.ConnectTimeout,
		Logger: log,
	}
	if v.Ports != "" {
		cfg.PortMin, cfg.PortMax, _ = voice.ParsePortRange(v.Ports) // checked by voiceFlags
	}
	var stun, turn []string
	for _, u := range v.ICE {
		if strings.HasPrefix(u, "turn") {
			turn = append(turn, u)
		} else {
			stun = append(stun, u)
		}
	}
	if len(stun) > 0 {
		cfg.ICEServers = append(cfg.ICEServers, wire.ICEServer{URLs: stun})
	}
	if len(turn) > 0 {
		cfg.ICEServers = append(cfg.ICEServers, wire.ICEServer{URLs: turn, Username: v.ICEUser, Credential: v.ICEPass})
	}
	if v.TURNAddr != "" {
		tc := voice.TURNConfig{Addr: v.TURNAddr, PublicIP: net.ParseIP(v.PublicIPs[0]), Secret: v.TURNSecret, TTL: v.TURNTTL}
		for _, ip := range v.PublicIPs {
			tc.Allow = append(tc.Allow, net.ParseIP(ip))
		}
		if v.TURNPorts != "" {
			tc.RelayMin, tc.RelayMax, _ = voice.ParsePortRange(v.TURNPorts)
		}
		t, err := voice.NewTURN(tc)
		if err != nil {
			return nil, err
		}
		cfg.TURN = t
	}
	sfu, err := voice.New(cfg)
	if err != nil && cfg.TURN != nil {
		cfg.TURN.Close()
	}
	return sfu, err
}
