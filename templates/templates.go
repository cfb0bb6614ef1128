// Package templates holds the server-rendered HTML pages, embedded in the binary.
package templates

import "embed"

// FS holds every page template (*.html) at its top level.
//
//go:embed *.html
var FS embed.FS
