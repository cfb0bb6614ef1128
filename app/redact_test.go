package app

import (
	"strings"
	"testing"

	"tabula/collab"
)

func TestRedactPath(t *testing.T) {
	id := collab.NewBoardID()
	tag := "~" + collab.LogID(id)
	for _, tc := range []struct{ in, want string }{
		{"/b/" + id, "/b/" + tag},
		{"/v/" + id + "/ws", "/v/" + tag + "/ws"},
		{"/b/" + id + "/images/abc", "/b/" + tag + "/images/abc"},
		{"/b/" + id + "/", "/b/" + tag + "/"},
		{"/assets/app.css", "/assets/app.css"},
		{"/boards", "/boards"},
		{"/b/", "/b/"},
		{"/", "/"},
	} {
		got := redactPath(tc.in)
		if got != tc.want {
			t.Errorf("redactPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if strings.Contains(got, id) {
			t.Errorf("redactPath(%q) keeps the id", tc.in)
		}
	}
}
