package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"tabula/collab"
	"tabula/collab/wire"
)

// putImageScript stores an image unless there, and when it was stored. KEYS: img, imgt.
var putImageScript = redis.NewScript(`
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
`)

// PutImage stores an image of a board; the same content twice is stored once. Either
// way the image's stored time becomes now.
func (s *Store) PutImage(ctx context.Context, id, src string, data []byte) error {
	k := keysOf(id)
	if _, err := s.write(ctx, putImageScript, []string{k.img, k.imgt}, src, data, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("store image of %s: %w", collab.LogID(id), err)
	}
	return nil
}

// Image returns an image of a board; ENotFound if it has none by that address.
func (s *Store) Image(ctx context.Context, id, src string) ([]byte, error) {
	data, err := s.rdb.HGet(ctx, boardKey(id, "img"), src).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, &wire.Error{Code: wire.ENotFound, Msg: "no such image"}
	}
	if err != nil {
		return nil, fmt.Errorf("read image of %s: %w", collab.LogID(id), err)
	}
	return data, nil
}

// imagesScript lists a board's images: src, size and stored time (or "") of each.
// KEYS: img, imgt.
var imagesScript = redis.NewScript(`
local out = {}
for _, src in ipairs(redis.call('HKEYS', KEYS[1])) do
  out[#out + 1] = src
  out[#out + 1] = redis.call('HSTRLEN', KEYS[1], src)
  out[#out + 1] = redis.call('HGET', KEYS[2], src) or ''
end
return out
`)

// ImageUsage returns how many images board id has and their bytes in all.
func (s *Store) ImageUsage(ctx context.Context, id string) (int, int64, error) {
	imgs, err := s.Images(ctx, id)
	if err != nil {
		return 0, 0, err
	}
	var size int64
	for _, img := range imgs {
		size += img.Size
	}
	return len(imgs), size, nil
}

// Images lists a board's images with their sizes and when each was last stored.
func (s *Store) Images(ctx context.Context, id string) ([]collab.StoredImage, error) {
	k := keysOf(id)
	v, err := s.run(ctx, imagesScript, []string{k.img, k.imgt})
	if err != nil {
		return nil, fmt.Errorf("list images of %s: %w", collab.LogID(id), err)
	}
	r, _ := v.([]any)
	var out []collab.StoredImage
	for i := 0; i+2 < len(r); i += 3 {
		img := collab.StoredImage{}
		img.Src, _ = r[i].(string)
		img.Size, _ = r[i+1].(int64)
		if t, _ := r[i+2].(string); t != "" {
			ms, err := strconv.ParseInt(t, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("list images of %s: stored time %q", collab.LogID(id), t)
			}
			img.Stored = time.UnixMilli(ms)
		}
		out = append(out, img)
	}
	return out, nil
}

// deleteImagesScript deletes those images ARGV[3:] last stored before ARGV[1] (Unix ms;
// never, if no time is recorded) that no log entry after seq ARGV[2] contains. KEYS:
// img, imgt, log. Returns how many it deleted.
var deleteImagesScript = redis.NewScript(`
local before = tonumber(ARGV[1])
local gone = {}
for i = 3, #ARGV do
  local t = redis.call('HGET', KEYS[2], ARGV[i])
  if not t or tonumber(t) < before then gone[ARGV[i]] = true end
end
if next(gone) then
  for _, e in ipairs(redis.call('XRANGE', KEYS[3], tostring(tonumber(ARGV[2]) + 1), '+')) do
    local f = e[2]
    for j = 1, #f, 2 do
      if f[j] == 'd' then
        for src in pairs(gone) do
          if string.find(f[j + 1], src, 1, true) then gone[src] = nil end
        end
      end
    end
  end
end
local n = 0
for src in pairs(gone) do
  if redis.call('HDEL', KEYS[1], src) == 1 then n = n + 1 end
  redis.call('HDEL', KEYS[2], src)
end
return n
`)

// DeleteImages deletes, at once, those of srcs that were last stored before before and
// that no log entry after seq after contains.
func (s *Store) DeleteImages(ctx context.Context, id string, srcs []string, before time.Time, after int64) (int, error) {
	if len(srcs) == 0 {
		return 0, nil
	}
	k := keysOf(id)
	args := []any{before.UnixMilli(), after}
	for _, src := range srcs {
		args = append(args, src)
	}
	v, err := s.write(ctx, deleteImagesScript, []string{k.img, k.imgt, k.log}, args...)
	if err != nil {
		return 0, fmt.Errorf("delete images of %s: %w", collab.LogID(id), err)
	}
	n, _ := v.(int64)
	return int(n), nil
}

// putImageWithinScript stores an image, as putImageScript does, unless the board does
// not have it and would then hold more than ARGV[4] images or ARGV[5] bytes of them:
// then it stores nothing and returns 0. KEYS: img, imgt. Counting in the script makes
// the check and the write one step, whichever nodes upload at once.
var putImageWithinScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  local srcs = redis.call('HKEYS', KEYS[1])
  if #srcs + 1 > tonumber(ARGV[4]) then return 0 end
  local size = string.len(ARGV[2])
  for _, src in ipairs(srcs) do size = size + redis.call('HSTRLEN', KEYS[1], src) end
  if size > tonumber(ARGV[5]) then return 0 end
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1
`)

// PutImageWithin stores an image unless the board would then hold more than lim,
// deciding and storing in one script.
func (s *Store) PutImageWithin(ctx context.Context, id, src string, data []byte, lim collab.ImageLimit) error {
	k := keysOf(id)
	v, err := s.write(ctx, putImageWithinScript, []string{k.img, k.imgt}, src, data, time.Now().UnixMilli(), lim.Count, lim.Bytes)
	if err != nil {
		return fmt.Errorf("store image of %s: %w", collab.LogID(id), err)
	}
	if n, _ := v.(int64); n == 0 {
		return fmt.Errorf("store image of %s: %w", collab.LogID(id), collab.ErrImageQuota)
	}
	return nil
}
