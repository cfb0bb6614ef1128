package e2e

import (
	"os/exec"
	"syscall"
)

// setPdeathsig has Linux kill a process a test started when the test binary dies
// without running its cleanups (a test timeout panics), so no node outlives its test.
func setPdeathsig(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
