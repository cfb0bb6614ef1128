package program

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version describes this build from what the Go toolchain stamped into it: the module
// version (set by go install pkg@version), the commit and its time (set when built from
// a git checkout without -buildvcs=false), and the Go version.
func Version() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(bi, runtime.Version())
}

// versionOf describes the build bi (nil: unknown) made with Go goVersion.
func versionOf(bi *debug.BuildInfo, goVersion string) string {
	v, rev, at, dirty := "(devel)", "", "", false
	if bi != nil {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	out := "tabula " + v
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if dirty {
			rev += "+dirty"
		}
		out += fmt.Sprintf(" (commit %s, %s)", rev, at)
	}
	return out + " " + goVersion
}
