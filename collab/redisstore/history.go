package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"tabula/collab"
)

// loadScript reads a snapshot and the log after it, atomically. KEYS: snap, cp, cpdata,
// log. ARGV[1] is "" for the latest snapshot and the whole log after it, or a seq for
// the newest checkpoint at or before it and the log up to it. Returns {seq, parts,
// entries}, seq "0" and no parts when there is no snapshot.
var loadScript = redis.NewScript(`
local function parts(seq)
  local n = redis.call('HGET', KEYS[3], seq .. ':n')
  if not n then return false end
  local fields = {}
  for j = 0, tonumber(n) - 1 do fields[#fields + 1] = seq .. ':' .. j end
  local ps = redis.call('HMGET', KEYS[3], unpack(fields))
  for j = 1, #ps do if not ps[j] then return false end end
  return ps
end
local seq, ps, upper = false, {}, '+'
if ARGV[1] == '' then
  seq = redis.call('GET', KEYS[1])
  if seq then
    ps = parts(seq)
    if not ps then return redis.error_reply('MISSING the latest snapshot, checkpoint ' .. seq .. ', is missing') end
  end
else
  upper = ARGV[1]
  local r = redis.call('ZREVRANGEBYSCORE', KEYS[2], ARGV[1], '-inf', 'LIMIT', 0, 1)
  if #r > 0 then
    seq = r[1]
    ps = parts(seq) or {}
  end
end
local from = '0'
if seq then from = tostring(tonumber(seq) + 1) end
return {seq or '0', ps, redis.call('XRANGE', KEYS[4], from, upper)}
`)

// Load returns the latest snapshot and the log after it.
func (s *Store) Load(ctx context.Context, id string) (collab.Snapshot, []collab.LogEntry, error) {
	snap, tail, err := s.load(ctx, id, "")
	if err != nil {
		return collab.Snapshot{}, nil, fmt.Errorf("load board %s: %w", collab.LogID(id), err)
	}
	return snap, tail, nil
}

// LoadAt returns the newest checkpoint at or before seq and the log up to seq.
func (s *Store) LoadAt(ctx context.Context, id string, seq int64) (collab.Snapshot, []collab.LogEntry, error) {
	snap, tail, err := s.load(ctx, id, strconv.FormatInt(seq, 10))
	if err != nil {
		return collab.Snapshot{}, nil, fmt.Errorf("load board %s at %d: %w", collab.LogID(id), seq, err)
	}
	return snap, tail, nil
}

func (s *Store) load(ctx context.Context, id, at string) (snap collab.Snapshot, tail []collab.LogEntry, err error) {
	k := keysOf(id)
	v, err := s.run(ctx, loadScript, []string{k.snap, k.cp, k.cpdata, k.log}, at)
	if err != nil {
		if word, rest, _ := strings.Cut(err.Error(), " "); word == "MISSING" {
			return snap, nil, errors.New(rest)
		}
		return snap, nil, err
	}
	r, ok := v.([]any)
	if !ok || len(r) != 3 {
		return snap, nil, fmt.Errorf("unexpected reply %T", v)
	}
	seq, _ := r[0].(string)
	if snap.Seq, err = strconv.ParseInt(seq, 10, 64); err != nil {
		return snap, nil, fmt.Errorf("snapshot seq %q", seq)
	}
	if snap.Seq > 0 {
		snap.Data = join(r[1])
	}
	tail, err = entries(r[2])
	return snap, tail, err
}

// run runs a script with EVALSHA, loading it first if Redis does not have it (a new or
// restarted Redis).
func (s *Store) run(ctx context.Context, script *redis.Script, keys []string, args ...any) (any, error) {
	return script.Run(ctx, s.rdb, keys, args...).Result()
}

// join concatenates a checkpoint's parts.
func join(v any) []byte {
	ps, _ := v.([]any)
	n := 0
	for _, p := range ps {
		s, _ := p.(string)
		n += len(s)
	}
	data := make([]byte, 0, n)
	for _, p := range ps {
		s, _ := p.(string)
		data = append(data, s...)
	}
	return data
}

// entries decodes stream entries as XRANGE returns them inside a script's reply.
func entries(v any) ([]collab.LogEntry, error) {
	es, _ := v.([]any)
	if len(es) == 0 {
		return nil, nil // as bbolt's store: no entries, a nil slice
	}
	out := make([]collab.LogEntry, 0, len(es))
	for _, e := range es {
		pair, ok := e.([]any)
		if !ok || len(pair) != 2 {
			return nil, fmt.Errorf("malformed log entry %v", e)
		}
		id, _ := pair[0].(string)
		fields, _ := pair[1].([]any)
		entry, err := logEntry(id, func(yield func(k, v string) bool) {
			for i := 0; i+1 < len(fields); i += 2 {
				k, _ := fields[i].(string)
				v, _ := fields[i+1].(string)
				if !yield(k, v) {
					return
				}
			}
		})
		if err != nil {
			return nil, err
		}
		out = append(out, entry)
	}
	return out, nil
}

// logEntry makes a log entry of a stream entry's ID ("<seq>-0") and fields.
func logEntry(id string, fields func(yield func(k, v string) bool)) (collab.LogEntry, error) {
	seq, _, _ := strings.Cut(id, "-")
	e := collab.LogEntry{}
	var err error
	if e.Seq, err = strconv.ParseInt(seq, 10, 64); err != nil {
		return e, fmt.Errorf("log entry id %q", id)
	}
	for k, v := range fields {
		switch k {
		case "c":
			e.CID = v
		case "d":
			e.Data = []byte(v)
		}
	}
	return e, nil
}

func messages(ms []redis.XMessage) ([]collab.LogEntry, error) {
	if len(ms) == 0 {
		return nil, nil
	}
	out := make([]collab.LogEntry, 0, len(ms))
	for _, m := range ms {
		e, err := logEntry(m.ID, func(yield func(k, v string) bool) {
			for k, v := range m.Values {
				s, _ := v.(string)
				if !yield(k, s) {
					return
				}
			}
		})
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// BatchSeq looks up the seq of a board's batch by client id.
func (s *Store) BatchSeq(ctx context.Context, id, cid string) (int64, bool, error) {
	seq, err := s.rdb.HGet(ctx, boardKey(id, "cids"), cid).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("look up batch %s of %s: %w", cid, collab.LogID(id), err)
	}
	return seq, true, nil
}

// Log returns up to limit entries below before, newest first.
func (s *Store) Log(ctx context.Context, id string, before int64, limit int) ([]collab.LogEntry, error) {
	end := "+"
	if before > 0 {
		if before == 1 {
			return nil, nil
		}
		end = strconv.FormatInt(before-1, 10)
	}
	if limit <= 0 {
		return nil, nil
	}
	ms, err := s.rdb.XRevRangeN(ctx, boardKey(id, "log"), end, "-", int64(limit)).Result()
	if err != nil {
		return nil, fmt.Errorf("read the log of %s: %w", collab.LogID(id), err)
	}
	return messages(ms)
}

// LogRange returns up to limit entries from from to to, oldest first.
func (s *Store) LogRange(ctx context.Context, id string, from, to int64, limit int) ([]collab.LogEntry, error) {
	if limit <= 0 || to < max(from, 0) {
		return nil, nil
	}
	ms, err := s.rdb.XRangeN(ctx, boardKey(id, "log"), strconv.FormatInt(max(from, 0), 10), strconv.FormatInt(to, 10), int64(limit)).Result()
	if err != nil {
		return nil, fmt.Errorf("read the log of %s: %w", collab.LogID(id), err)
	}
	return messages(ms)
}

// Checkpoints lists a board's complete checkpoints' seqs, ascending.
func (s *Store) Checkpoints(ctx context.Context, id string) ([]int64, error) {
	vs, err := s.rdb.ZRange(ctx, boardKey(id, "cp"), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("checkpoints of %s: %w", collab.LogID(id), err)
	}
	var seqs []int64
	for _, v := range vs {
		seq, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("checkpoints of %s: %q", collab.LogID(id), v)
		}
		seqs = append(seqs, seq)
	}
	return seqs, nil
}

// Authors returns the recorded names of a board's sessions.
func (s *Store) Authors(ctx context.Context, id string) (map[string]collab.Author, error) {
	all, err := s.rdb.HGetAll(ctx, boardKey(id, "authors")).Result()
	if err != nil {
		return nil, fmt.Errorf("authors of %s: %w", collab.LogID(id), err)
	}
	out := make(map[string]collab.Author, len(all))
	for sid, v := range all {
		var a collab.Author
		if err := json.Unmarshal([]byte(v), &a); err != nil {
			return nil, fmt.Errorf("authors of %s: %w", collab.LogID(id), err)
		}
		out[sid] = a
	}
	return out, nil
}

// compactScript rewrites old history atomically. KEYS: cp, cpdata, log. ARGV: upTo, the
// number of checkpoints to keep, their seqs and data in pairs, then the seqs to drop.
var compactScript = redis.NewScript(`
local function clearcp(seq)
  local j = 0
  while redis.call('HDEL', KEYS[2], seq .. ':' .. j) == 1 do j = j + 1 end
  redis.call('HDEL', KEYS[2], seq .. ':n')
  redis.call('ZREM', KEYS[1], seq)
end
local keep = tonumber(ARGV[2])
for i = 0, keep - 1 do
  local seq, data = ARGV[3 + 2 * i], ARGV[4 + 2 * i]
  clearcp(seq)
  redis.call('HSET', KEYS[2], seq .. ':0', data, seq .. ':n', 1)
  redis.call('ZADD', KEYS[1], seq, seq)
end
redis.call('XTRIM', KEYS[3], 'MINID', tostring(tonumber(ARGV[1]) + 1))
for i = 3 + 2 * keep, #ARGV do clearcp(ARGV[i]) end
return 1
`)

// Compact stores keep, drops the checkpoints in drop and the log up to upTo, at once.
// The board's last seq stays: the next batch still follows it.
func (s *Store) Compact(ctx context.Context, id string, keep []collab.Snapshot, drop []int64, upTo int64) error {
	k := keysOf(id)
	args := []any{strconv.FormatInt(max(upTo, 0), 10), len(keep)}
	for _, snap := range keep {
		args = append(args, strconv.FormatInt(snap.Seq, 10), snap.Data)
	}
	for _, seq := range drop {
		args = append(args, strconv.FormatInt(seq, 10))
	}
	if _, err := s.write(ctx, compactScript, []string{k.cp, k.cpdata, k.log}, args...); err != nil {
		return fmt.Errorf("compact %s: %w", collab.LogID(id), err)
	}
	return nil
}

// write runs a script that writes, followed by WAIT if the store waits for replicas,
// and loads the script first if Redis does not have it.
func (s *Store) write(ctx context.Context, script *redis.Script, keys []string, args ...any) (any, error) {
	if s.wait == 0 {
		return s.run(ctx, script, keys, args...)
	}
	for try := 0; ; try++ {
		pipe := s.rdb.Pipeline()
		cmd := script.EvalSha(ctx, pipe, keys, args...)
		_, err := s.exec(ctx, pipe)
		if cerr := cmd.Err(); cerr != nil && strings.HasPrefix(cerr.Error(), "NOSCRIPT") && try == 0 {
			if err := script.Load(ctx, s.rdb).Err(); err != nil {
				return nil, err
			}
			continue
		}
		if cerr := cmd.Err(); cerr != nil {
			return nil, cerr
		}
		return cmd.Val(), err
	}
}
