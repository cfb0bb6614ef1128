package voice

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// pionLogs sends pion's logs to the server's logger, at debug level: pion reports
// what a misbehaving client does (stale candidates, bad packets) as errors, and those are
// the client's problem, not the operator's.
type pionLogs struct{ log *slog.Logger }

func (f pionLogs) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{f.log.With("pion", scope)}
}

type pionLogger struct{ log *slog.Logger }

func (l pionLogger) at(level slog.Level, msg string) {
	l.log.Log(context.Background(), level, msg)
}

func (l pionLogger) Trace(msg string)                  {}
func (l pionLogger) Tracef(format string, args ...any) {}
func (l pionLogger) Debug(msg string)                  { l.at(slog.LevelDebug, msg) }
func (l pionLogger) Debugf(format string, args ...any) {
	if l.log.Enabled(context.Background(), slog.LevelDebug) {
		l.at(slog.LevelDebug, fmt.Sprintf(format, args...))
	}
}
func (l pionLogger) Info(msg string)                  { l.Debug(msg) }
func (l pionLogger) Infof(format string, args ...any) { l.Debugf(format, args...) }
func (l pionLogger) Warn(msg string)                  { l.Debug(msg) }
func (l pionLogger) Warnf(format string, args ...any) { l.Debugf(format, args...) }
func (l pionLogger) Error(msg string)                 { l.Debug(msg) }
func (l pionLogger) Errorf(format string, args ...any) {
	l.Debugf(format, args...)
}
