package voice

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/turn/v5"

	"tabula/collab/wire"
)

func TestRelayAllowedRefusesPrivatePeers(t *testing.T) {
	own := net.ParseIP("10.0.0.5") // the SFU's own address on a private network
	for _, tc := range []struct {
		ip   string
		want bool
	}{
		{"203.0.114.7", true},
		{"8.8.8.8", true},
		{"2001:4860:4860::8888", true},
		{"10.0.0.5", true}, // allowed by name
		{"127.0.0.1", false},
		{"127.8.9.10", false},
		{"::1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"172.31.255.254", false},
		{"192.168.1.1", false},
		{"fd00::2", false},
		{"169.254.169.254", false}, // cloud metadata
		{"fe80::1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"100.64.0.1", false},
		{"224.0.0.251", false},
		{"ff02::1", false},
		{"255.255.255.255", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:192.168.0.1", false},
	} {
		if got := RelayAllowed(net.ParseIP(tc.ip), []net.IP{own}); got != tc.want {
			t.Errorf("RelayAllowed(%s) = %v, want %v", tc.ip, got, tc.want)
		}
	}
}

func TestTURNCredentialsExpire(t *testing.T) {
	tu, err := NewTURN(TURNConfig{Addr: "127.0.0.1:0", PublicIP: net.ParseIP("127.0.0.1"), Secret: "s", TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer tu.Close()
	c := tu.Credentials("sid1")
	expiry, user, ok := strings.Cut(c.Username, ":")
	if !ok || user != "sid1" || c.Credential == "" || len(c.URLs) != 1 || !strings.HasPrefix(c.URLs[0], "turn:127.0.0.1:") {
		t.Fatalf("credentials %+v", c)
	}
	if at, err := strconv.ParseInt(expiry, 10, 64); err != nil || time.Until(time.Unix(at, 0)) > time.Hour || time.Until(time.Unix(at, 0)) < 59*time.Minute {
		t.Fatalf("credentials expire at %q, want in an hour", expiry)
	}
	if other := tu.Credentials("sid2"); other.Credential == c.Credential {
		t.Error("two users got the same password")
	}
}

func TestCheckOffer(t *testing.T) {
	head := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	audio := func(dir string) string {
		return "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=" + dir + "\r\na=rtpmap:111 opus/48000/2\r\n"
	}
	for _, tc := range []struct {
		name  string
		sdp   string
		first bool
		ok    bool
	}{
		{"Mic", head + audio("sendrecv"), true, true},
		{"SendOnly", head + audio("sendonly"), true, true},
		{"ListenOnlyJoin", head + audio("recvonly"), true, false},
		{"ListenOnlyRenegotiation", head + audio("recvonly"), false, true},
		{"TwoMics", head + audio("sendrecv") + audio("sendonly"), true, false},
		{"Video", head + audio("sendrecv") + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n", true, false},
		{"NoMedia", head, true, false},
		{"Garbage", "v=0\r\nx", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkOffer(tc.sdp, tc.first, 50); (err == nil) != tc.ok {
				t.Errorf("checkOffer: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func FuzzCheckOffer(f *testing.F) {
	f.Add("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n", true)
	f.Add("v=0\r\nm=video 0 x 1\r\n", false)
	f.Fuzz(func(t *testing.T, s string, first bool) {
		_ = checkOffer(s, first, 50) // must not panic
	})
}

// TestTURNRefusesLoopbackRelay allocates a relay with the credentials the SFU hands out
// and asks it to send to a loopback peer: the server refuses the permission, unless that
// address is one it was told to allow. Every address here is loopback.
func TestTURNRefusesLoopbackRelay(t *testing.T) {
	for _, tc := range []struct {
		name  string
		allow []net.IP
		ok    bool
	}{
		{"Refused", nil, false},
		{"Allowed", []net.IP{net.ParseIP("127.0.0.1")}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tu, err := NewTURN(TURNConfig{Addr: "127.0.0.1:0", PublicIP: net.ParseIP("127.0.0.1"), Allow: tc.allow})
			if err != nil {
				t.Fatal(err)
			}
			defer tu.Close()
			c := turnClient(t, tu, tu.Credentials("sid"))
			relay, err := c.Allocate()
			if err != nil {
				t.Fatalf("allocate with issued credentials: %v", err)
			}
			defer relay.Close()
			peer, err := net.ListenPacket("udp4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer peer.Close()
			_, err = relay.WriteTo([]byte("hello"), peer.LocalAddr())
			if (err == nil) != tc.ok {
				t.Fatalf("relaying to %s: %v, want ok=%v", peer.LocalAddr(), err, tc.ok)
			}
		})
	}
}

func TestTURNRefusesWrongCredentials(t *testing.T) {
	tu, err := NewTURN(TURNConfig{Addr: "127.0.0.1:0", PublicIP: net.ParseIP("127.0.0.1"), Secret: "right"})
	if err != nil {
		t.Fatal(err)
	}
	defer tu.Close()
	other, err := NewTURN(TURNConfig{Addr: "127.0.0.1:0", PublicIP: net.ParseIP("127.0.0.1"), Secret: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	c := turnClient(t, tu, other.Credentials("sid"))
	if relay, err := c.Allocate(); err == nil {
		relay.Close()
		t.Fatal("allocated with credentials signed by another secret")
	}
}

// turnClient is a pion TURN client of tu on a loopback socket, listening, signed in
// with cred; it is closed when the test ends.
func turnClient(t *testing.T, tu *TURN, cred wire.ICEServer) *turn.Client {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c, err := turn.NewClient(&turn.ClientConfig{
		TURNServerAddr: tu.Addr().String(), STUNServerAddr: tu.Addr().String(),
		Username: cred.Username, Password: cred.Credential, Realm: "tabula", Conn: conn,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	return c
}
