package program

import (
	"runtime/debug"
	"testing"
)

func TestVersion(t *testing.T) {
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"Unknown", nil, "tabula (devel) go1.26"},
		{"Release", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "tabula v1.4.0 go1.26"},
		{"Checkout", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-05T09:00:00Z"}, {Key: "vcs.modified", Value: "true"},
		}}, "tabula (devel) (commit 0123456789ab+dirty, 2026-12-05T09:00:00Z) go1.26"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionOf(tc.bi, "go1.26"); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
