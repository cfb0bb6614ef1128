package loadtest

import (
	"bytes"
	"strconv"
)

// A batch's cid carries who sent it and when: run.sender.n.sentNs, numbers in base 36,
// sentNs being nanoseconds since the run started on the tool's monotonic clock. The
// server echoes the cid in the broadcast and the ack, so any client of this process can
// compute the latency without a shared table. The run part is random, so batches of
// another run, or of people drawing on a board given with -boards-from, are told apart
// (and a cid is never reused on a board, which would make the server ignore the batch).

func appendCID(b []byte, run string, sender int, n, sentNs int64) []byte {
	b = append(b, run...)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(sender), 36)
	b = append(b, '.')
	b = strconv.AppendInt(b, n, 36)
	b = append(b, '.')
	return strconv.AppendInt(b, sentNs, 36)
}

// parseCID returns the sender and send time of a cid made by appendCID for run; ok is
// false for any other cid.
func parseCID(cid []byte, run string) (sender int, sentNs int64, ok bool) {
	rest, found := bytes.CutPrefix(cid, []byte(run))
	if !found || len(rest) == 0 || rest[0] != '.' {
		return 0, 0, false
	}
	senderPart, rest, _ := bytes.Cut(rest[1:], []byte{'.'})
	_, nsPart, found := bytes.Cut(rest, []byte{'.'})
	if !found {
		return 0, 0, false
	}
	s, err1 := strconv.ParseInt(string(senderPart), 36, 32)
	ns, err2 := strconv.ParseInt(string(nsPart), 36, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return int(s), ns, true
}
