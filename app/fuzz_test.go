package app

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"tabula/collab/render"
	"tabula/collab/wire"
)

// The fuzz targets of the HTTP edge: every decoder of what a client sends before it
// reaches collab. CI runs each briefly (internal/fuzzci); run one longer with
//
//	go test -run '^$' -fuzz '^FuzzLimitBody$' ./app

// FuzzClientAddr: whatever X-Forwarded-For says, the client address is the peer's
// unless the peer is a trusted proxy, and otherwise the peer or an address in the header.
func FuzzClientAddr(f *testing.F) {
	f.Add("203.0.113.7", "127.0.0.1")
	f.Add("1.2.3.4, 203.0.113.7", "127.0.0.1")
	f.Add("1.2.3.4, 10.0.0.2, 10.0.0.1", "10.0.0.9")
	f.Add("[2001:db8::1]:443, ::ffff:192.0.2.1", "::1")
	f.Add("garbage,, 1.2.3.4:80", "192.0.2.1")
	f.Add(strings.Repeat("1.1.1.1,", 100), "127.0.0.1")
	addrs := newClientAddrs("X-Forwarded-For", []string{"127.0.0.1", "::1", "10.0.0.0/8"})
	app := fiber.New()
	f.Fuzz(func(t *testing.T, header, peer string) {
		ip, err := netip.ParseAddr(peer)
		if err != nil {
			ip = netip.MustParseAddr("127.0.0.1")
		}
		var fctx fasthttp.RequestCtx
		fctx.Init(&fasthttp.Request{}, &net.TCPAddr{IP: ip.AsSlice()}, nil)
		fctx.Request.Header.Set("X-Forwarded-For", header)
		c := app.AcquireCtx(&fctx)
		defer app.ReleaseCtx(c)
		got := addrs.of(c)
		client, err := netip.ParseAddr(got)
		if err != nil {
			t.Fatalf("client address %q is not an address", got)
		}
		self := ip.Unmap()
		if !addrs.isTrusted(self) && client != self {
			t.Fatalf("untrusted peer %s, but the client is %s", self, client)
		}
		if client != self && !strings.Contains(header, client.String()) && !strings.Contains(strings.ToLower(header), strings.TrimPrefix(client.String(), "::ffff:")) {
			t.Fatalf("client %s is neither the peer %s nor in %q", client, self, header)
		}
	})
}

// FuzzLimitBody sends arbitrary bodies with arbitrary Content-Encodings through
// limitBody: the handler never sees more than the limit, or an encoding still applied;
// and a body compressed with a supported encoding arrives as it was, or is refused as
// too large when it is.
func FuzzLimitBody(f *testing.F) {
	f.Add("gzip", []byte("hello"), true)
	f.Add("deflate", []byte(strings.Repeat("a", 5000)), true)
	f.Add("br", []byte("{}"), true)
	f.Add("gzip, gzip", []byte{0x1f, 0x8b, 8, 0}, false)
	f.Add("identity", []byte("plain"), false)
	f.Add("x-gzip", []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3, 0}, false)
	const limit = 4096
	s := &Server{}
	var seen []byte
	var reached bool
	var refused error
	var encLeft string
	app := fiber.New(fiber.Config{StreamRequestBody: true, DisableStartupMessage: true,
		ErrorHandler: func(_ *fiber.Ctx, err error) error { refused = err; return nil }})
	app.Post("/", s.limitBody(limit), func(c *fiber.Ctx) error {
		reached, seen = true, append([]byte(nil), c.Body()...)
		encLeft = string(c.Request().Header.Peek(fiber.HeaderContentEncoding))
		return nil
	})
	handler := app.Handler()
	f.Fuzz(func(t *testing.T, enc string, body []byte, compress bool) {
		sent := body
		if compress {
			var err error
			if sent, err = encodeBody(enc, body); err != nil {
				compress = false
				sent = body
			}
		}
		var fctx fasthttp.RequestCtx
		fctx.Init(&fasthttp.Request{}, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, nil)
		fctx.Request.Header.SetMethod(fiber.MethodPost)
		fctx.Request.SetRequestURI("/")
		fctx.Request.Header.Set(fiber.HeaderContentEncoding, enc)
		fctx.Request.SetBodyStream(bytes.NewReader(sent), len(sent))
		reached, seen, refused, encLeft = false, nil, nil, ""
		handler(&fctx)
		if reached && len(seen) > limit {
			t.Fatalf("the handler got %d bytes, over the limit of %d", len(seen), limit)
		}
		if reached && encLeft != "" && !strings.EqualFold(strings.TrimSpace(encLeft), "identity") {
			t.Fatalf("the handler sees Content-Encoding %q", encLeft)
		}
		if !reached {
			var fe *fiber.Error
			if !(errors.As(refused, &fe) && (fe.Code == 400 || fe.Code == 413 || fe.Code == 415)) && wire.ErrorCode(refused) != wire.ETooBig {
				t.Fatalf("refused with %v", refused)
			}
		}
		if compress && len(sent) <= limit {
			switch {
			case len(body) <= limit && (!reached || !bytes.Equal(seen, body)):
				t.Fatalf("%s body of %d bytes arrived as %d bytes (reached %v, %v)", enc, len(body), len(seen), reached, refused)
			case len(body) > limit && wire.ErrorCode(refused) != wire.ETooBig:
				t.Fatalf("%s body of %d bytes inflated past the limit: %v, reached %v", enc, len(body), refused, reached)
			}
		}
	})
}

// encodeBody compresses body as Content-Encoding enc says, if it is one limitBody takes.
func encodeBody(enc string, body []byte) ([]byte, error) {
	var b bytes.Buffer
	var w io.WriteCloser
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "gzip", "x-gzip":
		w = gzip.NewWriter(&b)
	case "deflate":
		w = zlib.NewWriter(&b)
	case "br":
		w = brotli.NewWriter(&b)
	default:
		return nil, errors.New("not an encoding limitBody takes")
	}
	w.Write(body)
	w.Close()
	return b.Bytes(), nil
}

// FuzzExportQuery parses arbitrary export query strings: no panic, and what is
// accepted is within the documented ranges.
func FuzzExportQuery(f *testing.F) {
	f.Add("scale=2&background=off&theme=dark&padding=0")
	f.Add("area=0,0,100,50&ids=a,b,,c&at=3")
	f.Add("scale=NaN&padding=1e400")
	f.Add("area=1,2,3&background=mint")
	f.Add("scale=4.0000001&at=-1")
	app := fiber.New()
	f.Fuzz(func(t *testing.T, query string) {
		var fctx fasthttp.RequestCtx
		fctx.Request.SetRequestURI("/b/x/export.png?" + query)
		c := app.AcquireCtx(&fctx)
		defer app.ReleaseCtx(c)
		q, err := parseExportQuery(c)
		if err != nil {
			if wire.ErrorCode(err) != wire.EBadValue {
				t.Fatalf("refusal %v is not EBadValue", err)
			}
			return
		}
		o := q.opts
		if !(o.Scale >= 1 && o.Scale <= render.MaxScale) || !(o.Padding >= 0 && o.Padding <= 1000) || q.at < 0 {
			t.Fatalf("accepted %q as scale %v padding %v at %d", query, o.Scale, o.Padding, q.at)
		}
		if a := o.Area; a != nil && !(a.MaxX > a.MinX && a.MaxY > a.MinY) {
			t.Fatalf("accepted %q as an empty area %+v", query, *a)
		}
		for _, id := range strings.Split(c.Query("ids"), ",") {
			if id = strings.TrimSpace(id); id != "" && !q.ids[id] {
				t.Fatalf("id %q of %q was dropped", id, c.Query("ids"))
			}
		}
	})
}
