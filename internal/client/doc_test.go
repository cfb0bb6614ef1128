package client

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestApplyFixtures applies the server's shared apply fixtures (collab/board/testdata/
// apply, also checked by the browser's doc.js tests) with this client's Doc: the Go
// tests' copy of a board must follow the protocol's rules (the frame rule among them)
// as the server and the browser do.
func TestApplyFixtures(t *testing.T) {
	files, _ := filepath.Glob("../../collab/board/testdata/apply/*.json")
	if len(files) == 0 {
		t.Fatal("no fixtures in collab/board/testdata/apply")
	}
	for _, file := range files {
		if filepath.Base(file) == "patch_unknown_id_ignored.json" {
			continue // the server never broadcasts such an op, and this Doc reports one as a server bug
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var fx struct {
				Initial []json.RawMessage `json:"initial"`
				Batches []Msg             `json:"batches"`
				Want    []json.RawMessage `json:"want"`
			}
			if err := json.Unmarshal(raw, &fx); err != nil {
				t.Fatal(err)
			}
			got, want := NewDoc(), NewDoc()
			if err := got.Welcome(&Msg{T: "welcome", Reset: true, Elements: fx.Initial}); err != nil {
				t.Fatal(err)
			}
			if err := want.Welcome(&Msg{T: "welcome", Reset: true, Elements: fx.Want}); err != nil {
				t.Fatal(err)
			}
			for i := range fx.Batches {
				if err := got.Apply(&fx.Batches[i]); err != nil {
					t.Fatal(err)
				}
			}
			if g, w := got.Canonical(), want.Canonical(); g != w {
				t.Fatalf("\n got %s\nwant %s", g, w)
			}
		})
	}
}
