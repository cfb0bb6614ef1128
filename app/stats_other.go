//go:build !unix

package app

// cpuSeconds is the CPU time the process has used; 0 (not measured) where there is no
// getrusage (Windows), which /debug/stats readers take as "unknown".
func cpuSeconds() float64 { return 0 }
