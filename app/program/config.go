package program

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"tabula/app"
	"tabula/collab"
	"tabula/collab/wire"
)

// Config is everything an operator can set, by flag or by the environment variable
// named in each flag's help. Flags win over the environment.
type Config struct {
	Addr           string
	DataPath       string
	AllowedOrigins []string
	LogLevel       slog.Level
	LogFormat      string
	Limits         wire.Limits
	RoomIdle       time.Duration
	SnapshotEvery  int
	MaxQueueBytes  int
	MaxImage       int
	MaxStreams     int
	MaxSockets     int           // open WebSockets per client address
	HelloTimeout   time.Duration // how long a new WebSocket has to say hello
	// MessageTimeout and MaxPartialBytes: app.Config's; zero takes app's defaults.
	MessageTimeout  time.Duration
	MaxPartialBytes int64
	ProxyHeader     string
	TrustedProxies  []string
	Voice           VoiceConfig
	Ops             OpsConfig
	MaxImport       int
	Retention       collab.Retention
	// Per client address; PerMinute 0 turns a limit off.
	BoardRate, ImageRate app.Rate
	// Changes stored per connection and per client address, in bytes (the flags are in
	// KiB); PerSecond 0 turns a limit off.
	ConnOpRate, AddrOpRate collab.OpRate
	// Exports drawn at once, and waiting.
	RenderWorkers, RenderQueue int
	// Images one board may hold.
	MaxBoardImages     int
	MaxBoardImageBytes int
	// Redis, when set, makes this process one node of many sharing that Redis
	// (cluster.go); NodeAddr is where the other nodes reach this one (host:port).
	Redis    string
	NodeAddr string
	// Not flags: tests shorten them.
	LeaseTTL   time.Duration
	Heartbeat  time.Duration
	CountEvery time.Duration
}

// ParseConfig reads flags from args with defaults from getenv. Returns an error naming
// the bad flag or variable.
func ParseConfig(args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	d := collab.DefaultConfig()
	c := Config{Limits: d.Limits, MaxQueueBytes: d.MaxQueueBytes, MaxImage: d.MaxImage}
	f := newEnvFlags("tabula", getenv, usage)
	str, num, perMinute := f.str, f.num, f.perMinute
	var origins, level, proxies string
	str(&c.Addr, "addr", "TABULA_ADDR", ":8080", "address to listen on")
	str(&c.DataPath, "data", "TABULA_DATA", "data/tabula.db", "bbolt database file (created with its directory)")
	str(&origins, "allowed-origins", "TABULA_ALLOWED_ORIGINS", "", "comma-separated extra origins allowed to connect, e.g. https://board.example.com; * allows all")
	str(&level, "log-level", "TABULA_LOG_LEVEL", "info", "debug, info, warn or error")
	str(&c.LogFormat, "log-format", "TABULA_LOG_FORMAT", "text", "text or json")
	num(&c.Limits.MaxElements, "max-elements", "TABULA_MAX_ELEMENTS", d.Limits.MaxElements, "most live elements per board")
	num(&c.Limits.MaxPoints, "max-points", "TABULA_MAX_POINTS", d.Limits.MaxPoints, "most points per stroke")
	num(&c.Limits.MaxText, "max-text", "TABULA_MAX_TEXT", d.Limits.MaxText, "most bytes of text per element")
	num(&c.Limits.MaxMessage, "max-message", "TABULA_MAX_MESSAGE", d.Limits.MaxMessage, "largest WebSocket message from a client, in bytes")
	num(&c.MaxImage, "max-image", "TABULA_MAX_IMAGE", d.MaxImage, "largest image upload, in bytes")
	num(&c.MaxQueueBytes, "max-queue", "TABULA_MAX_QUEUE", d.MaxQueueBytes, "bytes waiting for one slow connection before it is closed (1013)")
	num(&c.SnapshotEvery, "snapshot-every", "TABULA_SNAPSHOT_EVERY", d.SnapshotEvery, "store a board snapshot after this many batches, once the log has also grown by half the last snapshot's size")
	num(&c.MaxStreams, "max-streams-per-ip", "TABULA_MAX_STREAMS_PER_IP", 32, "concurrent presence streams (SSE) allowed from one client address")
	num(&c.MaxSockets, "max-sockets-per-ip", "TABULA_MAX_SOCKETS_PER_IP", app.DefaultMaxSocketsPerIP, "open WebSockets allowed from one client address (one more gets 429)")
	hello := app.DefaultHelloTimeout.String()
	str(&hello, "hello-timeout", "TABULA_HELLO_TIMEOUT", hello, "how long a new WebSocket has to say hello before it is closed (1008)")
	str(&c.ProxyHeader, "proxy-header", "TABULA_PROXY_HEADER", "", "header with the client address set by your reverse proxy, e.g. X-Forwarded-For (only trusted from -trusted-proxies)")
	str(&proxies, "trusted-proxies", "TABULA_TRUSTED_PROXIES", "127.0.0.1,::1", "comma-separated proxy addresses or CIDRs whose -proxy-header is believed")
	idle := d.RoomIdle.String()
	str(&idle, "room-idle", "TABULA_ROOM_IDLE", idle, "how long an empty board stays in memory")
	num(&c.MaxImport, "max-import", "TABULA_MAX_IMPORT", app.DefaultMaxImport, "largest board file to import (Tabula JSON or .excalidraw), in bytes, also once decompressed")
	perMinute(&c.BoardRate.PerMinute, "board-rate", "TABULA_BOARD_RATE", app.DefaultBoardRate.PerMinute, "boards one client address may create or import a minute (0: no limit)")
	num(&c.BoardRate.Burst, "board-burst", "TABULA_BOARD_BURST", app.DefaultBoardRate.Burst, "boards one client address may create at once before -board-rate applies")
	perMinute(&c.ImageRate.PerMinute, "image-rate", "TABULA_IMAGE_RATE", app.DefaultImageRate.PerMinute, "images one client address may upload a minute (0: no limit)")
	num(&c.ImageRate.Burst, "image-burst", "TABULA_IMAGE_BURST", app.DefaultImageRate.Burst, "images one client address may upload at once before -image-rate applies")
	perMinute(&c.ConnOpRate.PerSecond, "op-rate", "TABULA_OP_RATE", collab.DefaultConnOpRate.PerSecond>>10, "KiB of changes one connection may store a second, on average (0: no limit); past it the connection is closed (1008) and the page waits before reconnecting")
	num(&c.ConnOpRate.Burst, "op-burst", "TABULA_OP_BURST", collab.DefaultConnOpRate.Burst>>10, "KiB of changes one connection may store at once before -op-rate applies")
	perMinute(&c.AddrOpRate.PerSecond, "addr-op-rate", "TABULA_ADDR_OP_RATE", collab.DefaultAddrOpRate.PerSecond>>10, "KiB of changes one client address may store a second, over all its connections (0: no limit)")
	num(&c.AddrOpRate.Burst, "addr-op-burst", "TABULA_ADDR_OP_BURST", collab.DefaultAddrOpRate.Burst>>10, "KiB of changes one client address may store at once before -addr-op-rate applies")
	num(&c.MaxBoardImages, "max-board-images", "TABULA_MAX_BOARD_IMAGES", collab.DefaultMaxBoardImages, "most images one board may hold")
	num(&c.MaxBoardImageBytes, "max-board-image-bytes", "TABULA_MAX_BOARD_IMAGE_BYTES", collab.DefaultMaxBoardImageBytes, "most bytes of images one board may hold")
	num(&c.RenderWorkers, "render-workers", "TABULA_RENDER_WORKERS", app.DefaultRenderWorkers, "exports (PNG, SVG, PDF) and thumbnails drawn at once")
	num(&c.RenderQueue, "render-queue", "TABULA_RENDER_QUEUE", 2*app.DefaultRenderWorkers, "exports that may wait for a free -render-workers; more get 429 with Retry-After")
	full, trash, grace := collab.DefaultRetention.Full.String(), collab.DefaultRetention.Trash.String(), collab.DefaultRetention.Images.String()
	str(&full, "history-full", "TABULA_HISTORY_FULL", full, "keep every change of a board this long; older history keeps one version a day (0 keeps everything)")
	str(&trash, "trash-for", "TABULA_TRASH_FOR", trash, "keep deleted boards restorable this long, then purge them (0 keeps them)")
	str(&grace, "image-grace", "TABULA_IMAGE_GRACE", grace, "delete an uploaded image that no version of its board in the kept history uses after this long (0 keeps them)")
	str(&c.Redis, "redis", "TABULA_REDIS_URL", "", "redis://host:port/db of the Redis that several nodes share, or redis+cluster://host:port?addr=host2:port2 for a Redis Cluster (empty: a single node on -data)")
	str(&c.NodeAddr, "node-addr", "TABULA_NODE_ADDR", "", "host:port at which the other nodes reach this one, with -redis (default: -addr, with this machine's name when -addr has no host)")
	voiceDone := voiceFlags(f, &c.Voice)
	opsDone := opsFlags(f, &c.Ops)
	if err := f.parse(args); err != nil {
		return c, err
	}
	if err := voiceDone(); err != nil {
		return c, err
	}
	if err := opsDone(); err != nil {
		return c, err
	}
	if f.fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", f.fs.Arg(0))
	}
	var err error
	if c.RoomIdle, err = time.ParseDuration(idle); err != nil || c.RoomIdle < 0 {
		return c, fmt.Errorf("-room-idle must be a duration like 5s, not %q", idle)
	}
	if c.HelloTimeout, err = time.ParseDuration(hello); err != nil || c.HelloTimeout <= 0 {
		return c, fmt.Errorf("-hello-timeout must be a duration like 5s, not %q", hello)
	}
	c.Retention = collab.DefaultRetention
	if c.Retention.Full, err = time.ParseDuration(full); err != nil || c.Retention.Full < 0 {
		return c, fmt.Errorf("-history-full must be a duration like 720h, not %q", full)
	}
	if c.Retention.Trash, err = time.ParseDuration(trash); err != nil || c.Retention.Trash < 0 {
		return c, fmt.Errorf("-trash-for must be a duration like 720h, not %q", trash)
	}
	if c.Retention.Images, err = time.ParseDuration(grace); err != nil || c.Retention.Images < 0 {
		return c, fmt.Errorf("-image-grace must be a duration like 24h, not %q", grace)
	}
	if err := c.LogLevel.UnmarshalText([]byte(level)); err != nil {
		return c, fmt.Errorf("-log-level must be debug, info, warn or error, not %q", level)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c, fmt.Errorf("-log-format must be text or json, not %q", c.LogFormat)
	}
	if c.Limits.MaxElements <= 0 || c.Limits.MaxPoints <= 0 || c.Limits.MaxText <= 0 || c.Limits.MaxMessage < 1024 || c.SnapshotEvery <= 0 {
		return c, fmt.Errorf("limits must be positive, and -max-message at least 1024")
	}
	for _, r := range []*collab.OpRate{&c.ConnOpRate, &c.AddrOpRate} {
		r.PerSecond, r.Burst = r.PerSecond<<10, r.Burst<<10
	}
	c.AllowedOrigins = splitList(origins)
	c.TrustedProxies = splitList(proxies)
	return c, nil
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// NewLogger is the server's log, at c's level and in its format, written to w.
func NewLogger(c Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
