package voice

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/pion/turn/v5"

	"tabula/collab/wire"
)

// TURNConfig sets up the embedded TURN server, for browsers that cannot reach the
// server's UDP port directly (strict NATs, networks that allow only some ports).
type TURNConfig struct {
	// Addr is the UDP address it listens on, e.g. ":3478".
	Addr string
	// PublicIP is the address clients reach it at; its relayed ports are announced there.
	PublicIP net.IP
	// Secret signs the time-limited credentials (TURN REST API style, so that a TURN
	// server elsewhere sharing the secret accepts them too). Random when empty.
	Secret string
	// TTL is how long credentials stay valid (default 12 h).
	TTL time.Duration
	// RelayMin-RelayMax are the UDP ports relayed traffic may use; any when zero.
	RelayMin, RelayMax uint16
	// Allow lists peer addresses it may relay to even though they are not public (the
	// SFU's own address when it is on a private network).
	Allow []net.IP
}

// TURN is an embedded TURN server that hands out time-limited credentials and relays
// only to public addresses (and Allow).
type TURN struct {
	srv    *turn.Server
	conn   net.PacketConn
	secret string
	ttl    time.Duration
	url    string
}

// NewTURN starts a TURN server. Returns an error if the address cannot be bound.
func NewTURN(cfg TURNConfig) (*TURN, error) {
	if cfg.TTL <= 0 {
		cfg.TTL = 12 * time.Hour
	}
	if cfg.Secret == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b) // never fails on supported systems
		cfg.Secret = base64.RawStdEncoding.EncodeToString(b)
	}
	if cfg.PublicIP == nil {
		return nil, fmt.Errorf("the embedded TURN server needs the public IP clients reach it at")
	}
	conn, err := net.ListenPacket("udp4", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("turn listen %s: %w", cfg.Addr, err)
	}
	var gen turn.RelayAddressGenerator = &turn.RelayAddressGeneratorStatic{RelayAddress: cfg.PublicIP, Address: "0.0.0.0"}
	if cfg.RelayMin > 0 {
		gen = &turn.RelayAddressGeneratorPortRange{RelayAddress: cfg.PublicIP, Address: "0.0.0.0", MinPort: cfg.RelayMin, MaxPort: cfg.RelayMax}
	}
	allow := cfg.Allow
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm:       "tabula",
		AuthHandler: turn.LongTermTURNRESTAuthHandler(cfg.Secret, nil),
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn:            conn,
			RelayAddressGenerator: gen,
			PermissionHandler:     func(_ net.Addr, peer net.IP) bool { return RelayAllowed(peer, allow) },
		}},
	})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("turn server: %w", err)
	}
	port := conn.LocalAddr().(*net.UDPAddr).Port
	return &TURN{srv: srv, conn: conn, secret: cfg.Secret, ttl: cfg.TTL,
		url: fmt.Sprintf("turn:%s?transport=udp", net.JoinHostPort(cfg.PublicIP.String(), fmt.Sprint(port)))}, nil
}

// Credentials returns the TURN server with a username and password for user, valid for
// the configured TTL.
func (t *TURN) Credentials(user string) wire.ICEServer {
	name, pass, err := turn.GenerateLongTermTURNRESTCredentials(t.secret, user, t.ttl)
	if err != nil {
		panic("voice: turn credentials: " + err.Error()) // HMAC writes never fail
	}
	return wire.ICEServer{URLs: []string{t.url}, Username: name, Credential: pass}
}

// Addr is the address the TURN server listens on.
func (t *TURN) Addr() net.Addr { return t.conn.LocalAddr() }

// Close stops the TURN server and its allocations.
func (t *TURN) Close() error { return t.srv.Close() }

// nonPublic are the ranges a relay must not reach besides what netip classifies:
// shared address space (carrier-grade NAT), "this network", benchmarking, IETF protocol
// assignments, and the IPv6 discard and NAT64-local ranges.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// RelayAllowed reports whether the TURN server may relay to peer: public unicast
// addresses, and those in allow. Loopback, private, link-local, multicast, unspecified
// and other special-purpose addresses are refused, so that a TURN client cannot reach
// services on the server's own host or network.
func RelayAllowed(peer net.IP, allow []net.IP) bool {
	for _, a := range allow {
		if a.Equal(peer) {
			return true
		}
	}
	ip, ok := netip.AddrFromSlice(peer)
	if !ok {
		return false
	}
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || !ip.IsGlobalUnicast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}
