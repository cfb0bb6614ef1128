package app

import (
	"context"
	"time"
)

// waitWebSockets waits until every WebSocket connection has closed. Once the service's
// Close has ended their sessions, each sends its close frame and closes when the client
// answers, or closeGrace later; without the wait they outlived Shutdown by up to that
// grace (a goroutine and a descriptor each, seen by goleak in the end-to-end tests).
// At ctx's deadline the rest are closed at once.
func (s *Server) waitWebSockets(ctx context.Context) {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for s.wsOpen.Load() > 0 {
		select {
		case <-t.C:
		case <-ctx.Done():
			s.conns.Range(func(k, _ any) bool {
				_ = k.(*wsConn).out.Close()
				return true
			})
			return
		}
	}
}
