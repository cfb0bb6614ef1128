package app

import (
	"strings"

	"tabula/collab"
)

// redactPath replaces the board id in a request path (/b/ID/…, /v/ID/…) by its log tag
// (collab.LogID), so that a logged path never carries a board link: /b/ID/ws is logged
// as /b/~3fa9c2d1/ws. Other paths are returned as they are.
func redactPath(p string) string {
	if len(p) < 4 || p[0] != '/' || (p[1] != 'b' && p[1] != 'v') || p[2] != '/' {
		return p
	}
	id, rest, _ := strings.Cut(p[3:], "/")
	if id == "" {
		return p
	}
	if rest != "" || strings.HasSuffix(p, "/") {
		rest = "/" + rest
	}
	return p[:3] + "~" + collab.LogID(id) + rest
}
