// Package program is a whole Tabula server: it reads the operator's configuration
// (flags and TABULA_* environment variables), opens the store, starts the collaboration
// service and the HTTP edge, and shuts them down in order. main runs it; the end-to-end
// tests (e2e) start the same value on 127.0.0.1:0.
package program

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"tabula/app"
	"tabula/collab"
	"tabula/collab/bolt"
	"tabula/collab/voice"
)

// Program is a whole Tabula server: store, collaboration service and HTTP edge. Tests
// start the same value users run, on 127.0.0.1:0 with a temporary data file.
type Program struct {
	log    *slog.Logger
	store  *bolt.Store // nil with -redis
	shared *shared     // nil without -redis
	svc    *collab.Service
	srv    *app.Server
	voice  *voice.SFU // nil when voice is off
	ln     net.Listener
	admin  *admin // nil when -admin-addr is empty
	tls    *tls.Config
	plain  *plainHTTP // the redirect to HTTPS; nil when there is none
}

// New opens the store and starts listening, so Addr is known before Run.
func New(cfg Config, log *slog.Logger) (*Program, error) {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	var boltStore *bolt.Store
	var sh *shared
	var store collab.Store
	if cfg.Redis != "" {
		if sh, err = openShared(cfg, ln.Addr()); err != nil {
			ln.Close()
			return nil, err
		}
		store = sh.store
	} else {
		if boltStore, err = bolt.Open(cfg.DataPath); err != nil {
			ln.Close()
			return nil, err
		}
		store = boltStore
	}
	sfu, err := newVoice(cfg.Voice, log)
	if err != nil {
		ln.Close()
		store.Close()
		return nil, fmt.Errorf("voice: %w", err)
	}
	var vc collab.VoiceSFU
	if sfu != nil {
		vc = sfu
	}
	ccfg := collab.Config{Voice: vc, Limits: cfg.Limits, RoomIdle: cfg.RoomIdle, SnapshotEvery: cfg.SnapshotEvery, MaxQueueBytes: cfg.MaxQueueBytes, MaxImage: cfg.MaxImage, Logger: log, Retention: cfg.Retention,
		MaxBoardImages: cfg.MaxBoardImages, MaxBoardImageBytes: int64(cfg.MaxBoardImageBytes),
		ConnOpRate: opRateOrOff(cfg.ConnOpRate), AddrOpRate: opRateOrOff(cfg.AddrOpRate)}
	if sh != nil {
		ccfg.Broker, ccfg.NodeAddr, ccfg.LeaseTTL = sh.broker, sh.addr, cfg.LeaseTTL
	}
	svc := collab.NewService(store, ccfg)
	srv, err := app.New(svc, app.Config{
		AllowedOrigins: cfg.AllowedOrigins, MaxStreamsPerIP: cfg.MaxStreams,
		MaxSocketsPerIP: cfg.MaxSockets, HelloTimeout: cfg.HelloTimeout,
		MessageTimeout: cfg.MessageTimeout, MaxPartialBytes: cfg.MaxPartialBytes,
		ProxyHeader: cfg.ProxyHeader, TrustedProxies: cfg.TrustedProxies,
		Heartbeat: cfg.Heartbeat, CountEvery: cfg.CountEvery, Logger: log, MaxImport: cfg.MaxImport,
		BoardRate: rateOrOff(cfg.BoardRate), ImageRate: rateOrOff(cfg.ImageRate),
		RenderWorkers: cfg.RenderWorkers, RenderQueue: cfg.RenderQueue,
		AccessLog: accessLogger(cfg, log),
	})
	if err != nil {
		ln.Close()
		svc.Close()
		store.Close()
		return nil, fmt.Errorf("build server: %w", err)
	}
	p := &Program{log: log, store: boltStore, shared: sh, svc: svc, srv: srv, ln: ln, voice: sfu}
	if err = p.listenOps(cfg); err != nil {
		ln.Close()
		svc.Close()
		p.Close()
		return nil, err
	}
	return p, nil
}

// rateOrOff turns a rate of 0 a minute (no limit, for the operator) into app's "off".
func rateOrOff(r app.Rate) app.Rate {
	if r.PerMinute == 0 {
		r.PerMinute = -1
	}
	return r
}

// opRateOrOff turns an op rate of 0 (no limit, for the operator) into collab's "off".
func opRateOrOff(r collab.OpRate) collab.OpRate {
	if r.PerSecond == 0 {
		r.PerSecond = -1
	}
	return r
}

// Addr is the address the program listens on, e.g. 127.0.0.1:41234.
func (p *Program) Addr() string { return p.ln.Addr().String() }

// Run serves until ctx is done, then shuts down gracefully: sessions are closed, every
// acknowledged op is already durable and each loaded board stores a final snapshot.
func (p *Program) Run(ctx context.Context) error {
	served := make(chan error, 1)
	go func() {
		if p.tls != nil {
			served <- p.srv.ServeTLS(p.ln, p.tls)
		} else {
			served <- p.srv.Serve(p.ln)
		}
	}()
	p.log.Info("tabula listening", "addr", p.Addr(), "tls", p.tls != nil, "version", Version())
	p.serveOps()
	var err error
	stopped := false
	select {
	case <-ctx.Done():
	case err = <-served:
		stopped = true
		if err == nil {
			err = errors.New("server stopped unexpectedly")
		}
	}
	p.log.Info("shutting down")
	p.svc.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if serr := p.srv.Shutdown(sctx); serr != nil && err == nil {
		err = serr
	}
	if serr := p.shutdownOps(sctx); serr != nil && err == nil {
		err = serr
	}
	// Shutdown closes only the listener Serve has begun with: a stop right after the
	// start found none, and Serve then served on after Run returned. Closing the
	// listener ends it either way; Run returns once it has.
	_ = p.ln.Close()
	if !stopped {
		if serr := <-served; serr != nil && err == nil {
			err = serr
		}
	}
	return err
}

// Close releases the data file, or the connections to Redis. Call it after Run has
// returned.
func (p *Program) Close() error {
	if p.shared != nil {
		return p.shared.Close()
	}
	return p.store.Close()
}

// Service is the program's collaboration service, for tests that look behind the edge.
func (p *Program) Service() *collab.Service { return p.svc }

// Store is the program's data file, for tests that look behind the service; nil with
// -redis.
func (p *Program) Store() *bolt.Store { return p.store }

// Voice is the program's voice SFU, or nil when voice is off.
func (p *Program) Voice() *voice.SFU { return p.voice }
