package testtool

import (
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// PDFPage draws the one page of the PDF document data with pdftoppm at dpi dots per
// inch (96: one pixel per CSS pixel) and returns it. It fails the test if data is not
// a PDF of exactly one page, and skips it as Find does without pdftoppm.
func PDFPage(t testing.TB, data []byte, dpi int) image.Image {
	t.Helper()
	pdftoppm := Find(t, Pdftoppm)
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(pdftoppm, "-png", "-r", strconv.Itoa(dpi), in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, msg)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	if len(pages) != 1 {
		t.Fatalf("pdftoppm made %d pages, want 1", len(pages))
	}
	f, err := os.Open(pages[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("pdftoppm's page: %v", err)
	}
	return img
}

// PDFPages draws every page of a PDF at dpi with pdftoppm, in page order.
func PDFPages(t testing.TB, data []byte, dpi int) []image.Image {
	t.Helper()
	pdftoppm := Find(t, Pdftoppm)
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(pdftoppm, "-png", "-r", strconv.Itoa(dpi), in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, msg)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	sort.Strings(names) // pdftoppm pads page numbers to the same width
	var pages []image.Image
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("pdftoppm's page %s: %v", name, err)
		}
		pages = append(pages, img)
	}
	return pages
}
