package redistest

import (
	"os/exec"
	"syscall"
)

// setPdeathsig has Linux kill redis-server when the test binary dies without running
// its cleanups (a test timeout panics), so no server outlives its test.
func setPdeathsig(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
