package assets

import (
	"testing"

	"tabula/internal/testtool"
)

// TestMain says at the end how many tests were skipped for want of a tool (testtool.Main).
func TestMain(m *testing.M) { testtool.Main(m) }
