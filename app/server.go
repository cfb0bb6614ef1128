// Package app is Tabula's HTTP edge: it turns HTTP, WebSocket and (later) SSE traffic
// into calls on collab and renders the answers. It holds no board state of its own.
package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"

	"tabula/collab"
	"tabula/templates"
)

// Config tunes the HTTP edge.
type Config struct {
	// AllowedOrigins are origins (scheme://host[:port]) allowed to open WebSockets and
	// send state-changing requests besides the request's own host. "*" allows any.
	AllowedOrigins []string
	// MaxStreamsPerIP caps concurrent SSE streams from one client address.
	MaxStreamsPerIP int
	// ProxyHeader names the header carrying the client address (e.g. X-Forwarded-For)
	// when requests come through TrustedProxies; empty uses the TCP peer address.
	ProxyHeader    string
	TrustedProxies []string
	// Heartbeat is how often an idle SSE stream gets a comment, so that proxies keep it
	// open and the server notices a vanished client. Default 15 s.
	Heartbeat time.Duration
	// CountEvery is how often the home page's live counts are recomputed. Default 2 s.
	CountEvery time.Duration
	// MaxImport is the largest board file POST /import accepts, in bytes (once
	// decompressed, too). Default 32 MiB.
	MaxImport int
	// BoardRate limits board creation and import per client address, and (in a bucket
	// of its own) replacing links; ImageRate image uploads. Zero values take DefaultBoardRate and DefaultImageRate; a negative
	// PerMinute turns the limit off.
	BoardRate, ImageRate Rate
	// RenderWorkers is how many exports are drawn at once (default DefaultRenderWorkers);
	// RenderQueue how many more may wait (default 2 × RenderWorkers).
	RenderWorkers, RenderQueue int
	Logger                     *slog.Logger
	// AccessLog gets a line for every request (accesslog.go); nil logs none.
	AccessLog *slog.Logger
	// MaxSocketsPerIP caps open WebSockets from one client address (default
	// DefaultMaxSocketsPerIP); one more is refused with 429 before the upgrade.
	MaxSocketsPerIP int
	// HelloTimeout is how long a new WebSocket has to say hello (DefaultHelloTimeout),
	// MessageTimeout how long one message may take to arrive (DefaultMessageTimeout);
	// a connection that takes longer is closed with 1008.
	HelloTimeout, MessageTimeout time.Duration
	// MaxPartialBytes caps the memory held by WebSocket messages still arriving, over all
	// connections (DefaultMaxPartialBytes); a message that would pass it is closed 1013.
	MaxPartialBytes int64
}

// Server is the Fiber application serving one collab.Service.
type Server struct {
	fiber      *fiber.App
	svc        *collab.Service
	log        *slog.Logger
	origins    map[string]bool
	sse        *sseLimiter
	clients    *clientAddrs
	boardRate  *addrLimiter
	imageRate  *addrLimiter
	linkRate   *addrLimiter
	renders    *renderQueue
	heartbeat  time.Duration
	countEvery time.Duration
	maxImport  int
	thumbs     *thumbCache
	done       chan struct{} // closed by Shutdown: ends the streams app itself feeds
	conns      sync.Map      // *wsConn → struct{}: open WebSocket connections, for pings
	wsOpen     atomic.Int64  // WebSocket connections not yet closed; Shutdown waits for them
	links      links         // to the owners of boards this node follows (wslink.go)
	linkStats  linkStats
	access     *slog.Logger // nil: no access log

	wsAddrs        *sseLimiter // open WebSockets per client address
	helloTimeout   time.Duration
	messageTimeout time.Duration
	partial        atomic.Int64 // bytes held by WebSocket messages still arriving
	maxPartial     int64
	beforeReceive  func(msg []byte) // tests: called with each message before the session
}

// New builds the server and its routes. Templates are parsed here, so a broken template
// fails start-up rather than a request.
func New(svc *collab.Service, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	engine := html.NewFileSystem(http.FS(templates.FS), ".html")
	if err := engine.Load(); err != nil {
		return nil, err
	}
	if cfg.MaxStreamsPerIP <= 0 {
		cfg.MaxStreamsPerIP = 32
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.CountEvery <= 0 {
		cfg.CountEvery = 2 * time.Second
	}
	if cfg.BoardRate == (Rate{}) {
		cfg.BoardRate = DefaultBoardRate
	}
	if cfg.ImageRate == (Rate{}) {
		cfg.ImageRate = DefaultImageRate
	}
	if cfg.RenderWorkers <= 0 {
		cfg.RenderWorkers = DefaultRenderWorkers
	}
	if cfg.RenderQueue <= 0 {
		cfg.RenderQueue = 2 * cfg.RenderWorkers
	}
	if cfg.MaxImport <= 0 {
		cfg.MaxImport = DefaultMaxImport
	}
	if cfg.MaxSocketsPerIP <= 0 {
		cfg.MaxSocketsPerIP = DefaultMaxSocketsPerIP
	}
	if cfg.HelloTimeout <= 0 {
		cfg.HelloTimeout = DefaultHelloTimeout
	}
	if cfg.MessageTimeout <= 0 {
		cfg.MessageTimeout = DefaultMessageTimeout
	}
	if cfg.MaxPartialBytes <= 0 {
		cfg.MaxPartialBytes = DefaultMaxPartialBytes
	}
	s := &Server{
		svc: svc, log: cfg.Logger, origins: make(map[string]bool),
		sse:       &sseLimiter{max: cfg.MaxStreamsPerIP, n: make(map[string]int)},
		heartbeat: cfg.Heartbeat, countEvery: cfg.CountEvery, done: make(chan struct{}),
		maxImport: cfg.MaxImport, thumbs: &thumbCache{max: 256}, access: cfg.AccessLog,
		clients:      newClientAddrs(cfg.ProxyHeader, cfg.TrustedProxies),
		boardRate:    newAddrLimiter(cfg.BoardRate, "creating boards"),
		imageRate:    newAddrLimiter(cfg.ImageRate, "uploading images"),
		linkRate:     newAddrLimiter(cfg.BoardRate, "replacing links"),
		renders:      newRenderQueue(cfg.RenderWorkers, cfg.RenderQueue),
		wsAddrs:      &sseLimiter{max: cfg.MaxSocketsPerIP, n: make(map[string]int)},
		helloTimeout: cfg.HelloTimeout, messageTimeout: cfg.MessageTimeout, maxPartial: cfg.MaxPartialBytes,
	}
	for _, o := range cfg.AllowedOrigins {
		if o = normalizeOrigin(o); o != "" {
			s.origins[o] = true
		}
	}
	s.fiber = fiber.New(fiber.Config{
		Views:                 engine,
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		// Bodies are read by the route that takes them, up to its own limit (limitBody);
		// BodyLimit only bounds what the server reads ahead with the headers.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		BodyLimit:                    DefaultMaxBody,
		ReadTimeout:                  30 * time.Second,
		WriteTimeout:                 30 * time.Second,
		IdleTimeout:                  120 * time.Second,
		ProxyHeader:                  cfg.ProxyHeader,
		EnableTrustedProxyCheck:      cfg.ProxyHeader != "",
		TrustedProxies:               cfg.TrustedProxies,
	})
	// WebSocket handlers and event streams close the sockets they take over.
	s.fiber.Server().KeepHijackedConns = true
	s.fiber.Server().Handler = closeUnread(s.fiber.Server().Handler)
	s.routes()
	go s.pingAll()
	return s, nil
}

// sendBuffer caps the kernel's send buffer of each connection. Left to autotuning, a
// stalled client's socket can soak up megabytes, hiding its backlog from the session's
// queue limits, so a slow reader would be closed minutes late instead of seconds.
// 256 KiB still covers the bandwidth-delay product of a fast link with a long RTT.
const sendBuffer = 256 << 10

// Serve serves HTTP on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	err := s.fiber.Listener(guardListener{&sizedListener{Listener: ln, log: s.log}})
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections and waits for HTTP requests in progress, up to
// ctx's deadline. WebSocket sessions are ended by the collab service's Close; Shutdown
// then waits for their connections to close too (see waitWebSockets).
func (s *Server) Shutdown(ctx context.Context) error {
	close(s.done)
	err := s.fiber.ShutdownWithContext(ctx)
	s.waitWebSockets(ctx)
	return err
}

func normalizeOrigin(o string) string {
	return strings.TrimRight(strings.ToLower(strings.TrimSpace(o)), "/")
}

// sizedListener sets the send buffer of every TCP connection it accepts, and rides out
// failures to accept that pass: fasthttp stops serving for good on any accept error but a
// timeout, so a client that opened connections up to the process's file limit would
// otherwise take the whole server down. Like net/http, it waits (5 ms doubling to 1 s)
// and tries again; the pending connections wait in the kernel's backlog meanwhile.
type sizedListener struct {
	net.Listener
	log    *slog.Logger
	failed time.Time // when the current run of failures began; zero when accepting
}

func (l *sizedListener) Accept() (net.Conn, error) {
	var delay time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil && acceptCanPass(err) {
			if l.failed.IsZero() {
				l.failed = time.Now()
				l.log.Warn("cannot accept connections; retrying until resources free up", "err", err)
			}
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			time.Sleep(delay)
			continue
		}
		if err == nil && !l.failed.IsZero() {
			l.log.Info("accepting connections again", "after", time.Since(l.failed).Round(time.Millisecond))
			l.failed = time.Time{}
		}
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetWriteBuffer(sendBuffer) // best effort: the default works, only later
		}
		return c, err
	}
}

// acceptCanPass reports whether an accept error is a shortage that passes (files,
// buffers, memory) or a connection that was aborted before it was accepted.
func acceptCanPass(err error) bool {
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
