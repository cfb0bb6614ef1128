// Package assets holds the browser code and styles, embedded in the binary and served
// under /assets/. The files are served exactly as written: there is no build step.
package assets

import "embed"

// FS holds js/, css/ and img/ (the favicon). The node tests in test/ are not embedded.
//
//go:embed js css img
var FS embed.FS
