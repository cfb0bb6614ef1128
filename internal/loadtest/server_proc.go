package loadtest

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// procSample reads the CPU time and resident memory of a server process on this
// machine from /proc (Linux), for a server with no admin listener to ask, such as a
// peer (Config.ServerPID). Heap and goroutines stay 0: they are Go's.
func procSample(pid int) (serverSample, error) {
	var smp serverSample
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return smp, fmt.Errorf("read the server's CPU time: %w", err)
	}
	// The fields after the command name, which is in parentheses and may hold spaces:
	// state is the first, utime and stime (in USER_HZ ticks) the 12th and 13th.
	f := bytes.Fields(stat[bytes.LastIndexByte(stat, ')')+1:])
	if len(f) < 13 {
		return smp, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseFloat(string(f[11]), 64)
	stime, err2 := strconv.ParseFloat(string(f[12]), 64)
	if err1 != nil || err2 != nil {
		return smp, fmt.Errorf("/proc/%d/stat: no CPU times", pid)
	}
	smp.CPUSeconds = (utime + stime) / 100
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return smp, fmt.Errorf("read the server's memory: %w", err)
	}
	for line := range bytes.Lines(status) {
		if v, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			kb, err := strconv.ParseUint(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
			if err != nil {
				return smp, fmt.Errorf("/proc/%d/status: VmRSS %q", pid, bytes.TrimSpace(v))
			}
			smp.RSSBytes = kb << 10
			return smp, nil
		}
	}
	return smp, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
}
