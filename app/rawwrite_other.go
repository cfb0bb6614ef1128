//go:build !linux

package app

import "net"

// rawSocket stands for a socket written without blocking; only Linux has them here
// (rawwrite_linux.go). Elsewhere every connection is written by its own writer.
type rawSocket = *struct{}

func rawSocketOf(net.Conn) rawSocket { return nil }

func writeNow(rawSocket, []byte, []byte) (int, error) { return 0, nil }
