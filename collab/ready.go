package collab

import (
	"context"
	"errors"
	"fmt"

	"tabula/collab/wire"
)

// Ready reports whether the service can serve boards: it is not shutting down, and its
// store answers a read (the lookup of a board that cannot exist). Returns an error
// saying which is not the case.
func (s *Service) Ready(ctx context.Context) error {
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	if closing {
		return errors.New("shutting down")
	}
	if _, err := s.store.Board(ctx, "readiness-probe"); wire.ErrorCode(err) != wire.ENotFound {
		if err == nil {
			err = errors.New("a board that cannot exist was found")
		}
		return fmt.Errorf("store: %w", err)
	}
	return s.clusterReady(ctx)
}
