package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"tabula/collab"
)

// DumpBoard reads everything stored for a board in one MULTI, so it is consistent.
func (s *Store) DumpBoard(ctx context.Context, id string) (*collab.BoardDump, error) {
	k := keysOf(id)
	var (
		meta, seq, snap               *redis.StringCmd
		cp                            *redis.StringSliceCmd
		cpdata, cids, img, imgt, auth *redis.MapStringStringCmd
		log                           *redis.XMessageSliceCmd
	)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		meta, seq, snap = p.Get(ctx, k.meta), p.Get(ctx, k.seq), p.Get(ctx, k.snap)
		cp = p.ZRange(ctx, k.cp, 0, -1)
		cpdata, cids, img, imgt, auth = p.HGetAll(ctx, k.cpdata), p.HGetAll(ctx, k.cids), p.HGetAll(ctx, k.img), p.HGetAll(ctx, k.imgt), p.HGetAll(ctx, k.authors)
		log = p.XRange(ctx, k.log, "-", "+")
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("dump board %s: %w", collab.LogID(id), err)
	}
	if errors.Is(meta.Err(), redis.Nil) {
		return nil, errNotFound
	}
	d := &collab.BoardDump{Batches: map[string]int64{}, Authors: map[string]collab.Author{}}
	fail := func(what string, err error) (*collab.BoardDump, error) {
		return nil, fmt.Errorf("dump board %s: %s: %w", collab.LogID(id), what, err)
	}
	if err := json.Unmarshal([]byte(meta.Val()), &d.Meta); err != nil {
		return fail("metadata", err)
	}
	if d.LastSeq, err = optInt(seq.Val()); err != nil {
		return fail("last seq", err)
	}
	if d.Latest, err = optInt(snap.Val()); err != nil {
		return fail("latest snapshot", err)
	}
	parts := cpdata.Val()
	for _, v := range cp.Val() {
		n, err := strconv.Atoi(parts[v+":n"])
		if err != nil {
			return fail("checkpoint "+v, err)
		}
		var data []byte
		for i := range n {
			data = append(data, parts[v+":"+strconv.Itoa(i)]...)
		}
		seq, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fail("checkpoint "+v, err)
		}
		d.Checkpoints = append(d.Checkpoints, collab.Snapshot{Seq: seq, Data: data})
	}
	if d.Log, err = messages(log.Val()); err != nil {
		return fail("log", err)
	}
	for cid, v := range cids.Val() {
		if d.Batches[cid], err = strconv.ParseInt(v, 10, 64); err != nil {
			return fail("batch "+cid, err)
		}
	}
	times := imgt.Val()
	for src, data := range img.Val() {
		im := collab.DumpedImage{Src: src, Data: []byte(data)}
		if t := times[src]; t != "" {
			ms, err := strconv.ParseInt(t, 10, 64)
			if err != nil {
				return fail("image time", err)
			}
			im.Stored = time.UnixMilli(ms)
		}
		d.Images = append(d.Images, im)
	}
	slices.SortFunc(d.Images, func(a, b collab.DumpedImage) int { return strings.Compare(a.Src, b.Src) })
	for sid, v := range auth.Val() {
		var a collab.Author
		if err := json.Unmarshal([]byte(v), &a); err != nil {
			return fail("author", err)
		}
		d.Authors[sid] = a
	}
	return d, nil
}

func optInt(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseInt(s, 10, 64)
}

// RestoreBoard stores a dumped board in one MULTI, after claiming its ids. It does not
// WAIT for replicas: a migration verifies what it wrote by reading it back.
func (s *Store) RestoreBoard(ctx context.Context, d *collab.BoardDump) error {
	m := d.Meta
	k := keysOf(m.ID)
	fail := func(err error) error { return fmt.Errorf("restore board %s: %w", collab.LogID(m.ID), err) }
	for _, key := range []string{k.meta, editKey(m.ID)} { // one per command: two slots
		if n, err := s.rdb.Exists(ctx, key).Result(); err != nil {
			return fail(err)
		} else if n > 0 {
			return fail(errors.New("the board exists"))
		}
	}
	b := &boardWrites{}
	if err := s.claim(ctx, b, collab.Write{Board: m.ID, Meta: &m, Create: true}); err != nil {
		s.release(ctx, b.claims)
		return fail(err)
	}
	meta, err := json.Marshal(m)
	if err != nil {
		return fail(err)
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, k.meta, meta, 0)
		if d.LastSeq > 0 {
			p.Set(ctx, k.seq, d.LastSeq, 0)
		}
		for _, e := range d.Log {
			p.XAdd(ctx, &redis.XAddArgs{Stream: k.log, ID: strconv.FormatInt(e.Seq, 10) + "-0", Values: []any{"c", e.CID, "d", e.Data}})
		}
		for cid, seq := range d.Batches {
			p.HSet(ctx, k.cids, cid, seq)
		}
		for _, c := range d.Checkpoints {
			seq := strconv.FormatInt(c.Seq, 10)
			p.HSet(ctx, k.cpdata, seq+":0", c.Data, seq+":n", 1)
			p.ZAdd(ctx, k.cp, redis.Z{Score: float64(c.Seq), Member: seq})
		}
		if d.Latest > 0 {
			p.Set(ctx, k.snap, d.Latest, 0)
		}
		for _, im := range d.Images {
			p.HSet(ctx, k.img, im.Src, im.Data)
			if !im.Stored.IsZero() {
				p.HSet(ctx, k.imgt, im.Src, im.Stored.UnixMilli())
			}
		}
		for sid, a := range d.Authors {
			v, err := json.Marshal(a)
			if err != nil {
				return err
			}
			p.HSet(ctx, k.authors, sid, v)
		}
		return nil
	})
	if err != nil {
		s.release(ctx, b.claims)
		s.rdb.Del(ctx, k.stored()...)
		return fail(err)
	}
	return nil
}

func (s *Store) release(ctx context.Context, claims []string) {
	for _, k := range claims { // one per command: each in its own slot
		s.rdb.Del(ctx, k)
	}
}
