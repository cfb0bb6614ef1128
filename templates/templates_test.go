package templates

import (
	"html/template"
	"io/fs"
	"testing"
)

// TestTemplatesParse parses every template at once, so a broken one fails here rather
// than on a user's request.
func TestTemplatesParse(t *testing.T) {
	names, err := fs.Glob(FS, "*.html")
	if err != nil || len(names) < 3 {
		t.Fatalf("templates: %v %v", names, err)
	}
	for _, name := range names {
		if _, err := template.ParseFS(FS, name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
