package app

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// clientAddrs works out who sent a request, for every per-address limit.
//
// Without a proxy header, or when the TCP peer is not a trusted proxy, it is the peer.
// Behind trusted proxies it is the right-most address in the header that no trusted
// proxy added: each proxy appends the address it saw, so everything left of that was
// written by the client and proves nothing (a client sending "X-Forwarded-For: 1.2.3.4"
// to a proxy that appends arrives as "1.2.3.4, <its real address>").
type clientAddrs struct {
	header  string
	trusted []netip.Prefix
}

func newClientAddrs(header string, proxies []string) *clientAddrs {
	a := &clientAddrs{header: header}
	for _, p := range proxies {
		if pfx, err := netip.ParsePrefix(p); err == nil {
			a.trusted = append(a.trusted, pfx.Masked())
		} else if ip, err := netip.ParseAddr(p); err == nil {
			a.trusted = append(a.trusted, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
		}
	}
	return a
}

func (a *clientAddrs) isTrusted(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range a.trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// of returns the client address of c's request, as a string to key limits on.
func (a *clientAddrs) of(c *fiber.Ctx) string {
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	peer = peer.Unmap()
	if a.header == "" || !a.isTrusted(peer) {
		return peer.String()
	}
	var entries []string
	c.Request().Header.VisitAll(func(k, v []byte) {
		if strings.EqualFold(string(k), a.header) {
			entries = append(entries, strings.Split(string(v), ",")...)
		}
	})
	client := peer
	for i := len(entries) - 1; i >= 0; i-- {
		ip, ok := parseForwarded(entries[i])
		if !ok {
			break // not an address a proxy of ours wrote: trust nothing left of it
		}
		client = ip
		if !a.isTrusted(ip) {
			break
		}
	}
	return client.String()
}

// parseForwarded reads one X-Forwarded-For entry: an address, perhaps with a port.
func parseForwarded(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ip, err := netip.ParseAddr(s); err == nil {
		return ip.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}
