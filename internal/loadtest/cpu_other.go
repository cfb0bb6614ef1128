//go:build !unix

package loadtest

// processCPU is the CPU time this process has used, in seconds; 0 (not measured) where
// there is no getrusage.
func processCPU() float64 { return 0 }
