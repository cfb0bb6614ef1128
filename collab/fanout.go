package collab

import (
	"runtime/debug"
	"slices"
	"sync"
)

// A room's broadcasts are written by a goroutine of its own, the fan-out, so that the
// room goes on while they are written: it applies the batches that arrive meanwhile and
// hands them to the committer, whose fsync then waits on the disk while the fan-out
// uses the CPU, instead of each waiting for the other. Writing one batch to a thousand
// members is a thousand system calls (milliseconds on one core); while they run, the
// batches becoming durable pile up, and the fan-out sends them together next, held
// (Delivery.Held), so that each member gets them in one write. The busier the board, the
// more batches per write: frames per connection fall as the rate rises.
//
// Order: the fan-out takes jobs in the order the room made them, and each job lists the
// members as they were when the room made it, so every member gets every broadcast
// after its welcome and in seq order, the sender its broadcast before its ack, as when
// the room wrote them itself. The room never changes a member list a job holds (it
// replaces r.members instead; see leave and fail).
type fanout struct {
	svc *Service

	mu      sync.Mutex
	jobs    []fanJob
	running bool       // a goroutine is draining jobs
	idle    *sync.Cond // signalled when the last job is done
}

// fanJob is what advance found durable in one go.
type fanJob struct {
	members []*Session // the room's members before the first item
	items   []fanItem
}

// fanItem is one durable batch: its broadcast and ack, and who joined after it.
type fanItem struct {
	seq          int64
	frame, ack   []byte
	sender       *Session
	senderMember bool       // the sender is among the members (it gets the broadcast first)
	acks         []*Session // sessions that resent this cid meanwhile
	received     int64
	joined       []*Session // welcomed at this seq: members for the items after it
}

func newFanout(svc *Service) *fanout {
	f := &fanout{svc: svc}
	f.idle = sync.NewCond(&f.mu)
	return f
}

// push queues job; a goroutine writes it, after every job pushed before.
func (f *fanout) push(job fanJob) {
	f.mu.Lock()
	f.jobs = append(f.jobs, job)
	start := !f.running
	f.running = true
	f.mu.Unlock()
	if start {
		go f.run()
	}
}

// wait returns once every job pushed so far is written: the room calls it before it
// closes its members, so that what was durable reaches them first.
func (f *fanout) wait() {
	f.mu.Lock()
	for f.running {
		f.idle.Wait()
	}
	f.mu.Unlock()
}

// run writes jobs until none is left. The goroutine exists only while there are: an idle
// board costs none.
func (f *fanout) run() {
	defer func() {
		if p := recover(); p != nil {
			f.svc.log.Error("panic in a board's fan-out", "panic", p, "stack", string(debug.Stack()))
			f.mu.Lock()
			f.jobs, f.running = nil, false
			f.idle.Broadcast()
			f.mu.Unlock()
		}
	}()
	for {
		f.mu.Lock()
		jobs := f.jobs
		f.jobs = nil
		if len(jobs) == 0 {
			f.running = false
			f.idle.Broadcast()
			f.mu.Unlock()
			return
		}
		f.mu.Unlock()
		// One batch alone is written straight to members' sockets. Several, in the usual
		// case (the same members throughout, nobody joining between them), become one
		// message written straight to each member but their senders; otherwise they are
		// held, so that each member's writer sends them in one write.
		var items []fanItem
		same := true
		for _, j := range jobs {
			items = append(items, j.items...)
			same = same && sameMembers(j.members, jobs[0].members)
			for _, it := range j.items {
				same = same && len(it.joined) == 0
			}
		}
		f.writeRound(jobs, items, same)
		clear(jobs)
	}
}

// writeRound writes what run took in one round (see Delivery.Round), which ends even
// if writing panics, so that no transport holds its part for a round that never ends.
func (f *fanout) writeRound(jobs []fanJob, items []fanItem, same bool) {
	round := &Round{}
	defer round.end()
	if len(items) > 1 && same {
		f.writeTogether(jobs[0].members, items, round)
		return
	}
	for _, j := range jobs {
		f.write(j, len(items) == 1, round)
	}
}

// write sends one job's items in order.
func (f *fanout) write(j fanJob, direct bool, round *Round) {
	lat := &f.svc.latency
	members := j.members
	for _, it := range j.items {
		// The sender first, broadcast then ack as every member sees them: its ack does
		// not wait for the fan-out to a large board.
		var skip *Session
		if it.senderMember {
			it.sender.deliver(it.frame, it.received, &lat.Deliver, !direct)
			skip = it.sender
		}
		it.sender.deliver(it.ack, it.received, &lat.Ack, !direct)
		fanOut(members, it.frame, it.received, skip, direct, &lat.Deliver, round)
		for _, s := range it.acks {
			s.send(it.ack)
		}
		if len(it.joined) > 0 { // members is the room's: a copy, with them
			members = append(members[:len(members):len(members)], it.joined...)
		}
	}
}

// sameMembers reports whether a and b are the same member list: the room replaces its
// list when someone leaves and appends when someone joins, so the same start and length
// is the same list.
func sameMembers(a, b []*Session) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// writeTogether writes several durable batches to members, none of whom joined between
// them: every member but their senders gets one message of all the broadcasts, one
// per line, written straight to its socket (one system call, no writer woken); each
// sender gets its items one by one, its own broadcast then its ack, held.
func (f *fanout) writeTogether(members []*Session, items []fanItem, round *Round) {
	lat := &f.svc.latency
	size := len(items)
	senders := make(map[*Session]bool, len(items))
	for _, it := range items {
		size += len(it.frame)
		senders[it.sender] = true
	}
	all := make([]byte, 0, size)
	var read []int64 // when the timed batches were read
	for i, it := range items {
		if i > 0 {
			all = append(all, '\n')
		}
		all = append(all, it.frame...)
		if it.received != 0 {
			read = append(read, it.received)
		}
	}
	for s := range senders {
		member := slices.Contains(members, s)
		for _, it := range items {
			if it.sender == s {
				if it.senderMember {
					s.deliver(it.frame, it.received, &lat.Deliver, true)
				}
				s.deliver(it.ack, it.received, &lat.Ack, true)
			} else if member {
				s.deliver(it.frame, it.received, &lat.Deliver, true)
			}
		}
	}
	d := Delivery{Round: round}
	if len(read) > 0 {
		d.at, d.h, d.more = read[0], &lat.Deliver, read[1:]
	}
	inParallel(members, roomFanOutChunk, func(part []*Session) {
		for _, m := range part {
			if !senders[m] {
				m.t.Deliver(all, d)
			}
		}
	})
	for _, it := range items {
		for _, s := range it.acks {
			s.send(it.ack)
		}
	}
}
