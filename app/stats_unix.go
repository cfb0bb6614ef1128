//go:build unix

package app

import "syscall"

// cpuSeconds is the user and system CPU time the process has used; 0 if the kernel
// will not say.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
