package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/andybalholm/brotli"

	"tabula/app/program"
)

// peakRSS measures how far the process's resident memory peaks while fn runs, in bytes:
// the kernel's high-water mark (VmHWM), reset to the current size just before.
func peakRSS(t *testing.T, fn func()) int64 {
	t.Helper()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak RSS here: %v", err)
	}
	before := procStatus(t, "VmHWM")
	fn()
	return procStatus(t, "VmHWM") - before
}

// procStatus reads a kB field of /proc/self/status, in bytes.
func procStatus(t *testing.T, field string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n << 10
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// zeroBomb is a gzip stream of n MiB of zeros, as 1 MiB members one after another: a
// few bytes per MiB, and cheap to make.
func zeroBomb(t *testing.T, mib int) []byte {
	t.Helper()
	var one bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&one, gzip.BestCompression)
	zw.Write(make([]byte, 1<<20))
	zw.Close()
	return bytes.Repeat(one.Bytes(), mib)
}

func compress(t *testing.T, enc string, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	var w io.WriteCloser
	switch enc {
	case "gzip":
		w, _ = gzip.NewWriterLevel(&b, gzip.BestCompression)
	case "deflate":
		w, _ = zlib.NewWriterLevel(&b, zlib.BestSpeed)
	case "br":
		w = brotli.NewWriterLevel(&b, brotli.BestSpeed)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func postEncoded(t *testing.T, url, enc string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/octet-stream")
	if enc != "" {
		req.Header.Set("Content-Encoding", enc)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func alive(t *testing.T, ts *testServer) {
	t.Helper()
	if resp, _ := get(t, ts.URL+"/healthz"); resp.StatusCode != 200 {
		t.Fatalf("healthz answered %d", resp.StatusCode)
	}
}

// No request body is inflated past its route's limit: compression bombs of every
// encoding are refused with 413 (stacked ones with 415) while the server's memory stays
// near where it was, and honest compressed uploads still work.
func TestCompressedBodiesAreBounded(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) { c.MaxImport, c.MaxImage = 1<<20, 1<<20 })
	b := ts.newBoard(t)
	targets := map[string]string{"import": ts.URL + "/import", "images": ts.URL + "/b/" + b.ID + "/images"}

	zeros := make([]byte, 64<<20)
	// 512 MiB once inflated, in under the routes' 1 MiB: a bomb must be read to be found,
	// and one declared over the limit would be refused unread (another test), with the
	// connection closed while the client still sends, which it may see as a reset.
	gz := zeroBomb(t, 512)
	if len(gz) >= 1<<20 {
		t.Fatalf("the bomb is %d bytes, not under the limit", len(gz))
	}
	bombs := []struct {
		name, enc string
		body      []byte
		status    int
	}{
		{"Gzip", "gzip", gz, 413},
		{"GzipGzip", "gzip, gzip", compress(t, "gzip", gz), 415},
		{"Deflate", "deflate", compress(t, "deflate", zeros), 413},
		{"Brotli", "br", compress(t, "br", zeros), 413},
		{"Unknown", "zstd", []byte("whatever"), 415},
	}
	for route, url := range targets {
		for _, bomb := range bombs {
			t.Run(route+"/"+bomb.name, func(t *testing.T) {
				var status int
				var body string
				grew := peakRSS(t, func() { status, body = postEncoded(t, url, bomb.enc, bomb.body) })
				if status != bomb.status {
					t.Errorf("%d bytes of %s: got %d %s, want %d", len(bomb.body), bomb.enc, status, body, bomb.status)
				}
				if grew > 48<<20 {
					t.Errorf("the server's memory peaked %d MiB higher", grew>>20)
				}
				alive(t, ts)
			})
		}
	}

	t.Run("HonestCompressedUploads", func(t *testing.T) {
		file := []byte(`{"type":"tabula","version":1,"title":"packed","elements":[]}`)
		for _, enc := range []string{"gzip", "deflate", "br"} {
			if status, body := postEncoded(t, targets["import"], enc, compress(t, enc, file)); status != 201 {
				t.Errorf("import as %s: %d %s", enc, status, body)
			}
			status, body := postEncoded(t, targets["images"], enc, compress(t, enc, encodePNG(t, 8, 8)))
			var u upload
			json.Unmarshal([]byte(body), &u)
			if status != 201 || !strings.HasPrefix(u.Src, "sha256:") {
				t.Errorf("image as %s: %d %s", enc, status, body)
			}
		}
	})
}

// rawPost opens a connection, sends the headers of a POST with a body of size bytes and
// as much of the body as the server reads before it answers, and returns the status.
func rawPost(addr, path string, size int, chunked bool) (int, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	head := "POST " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\n"
	if chunked {
		head += "Transfer-Encoding: chunked\r\n\r\n"
	} else {
		head += "Content-Length: " + strconv.Itoa(size) + "\r\n\r\n"
	}
	if _, err := io.WriteString(c, head); err != nil {
		return 0, err
	}
	answered := make(chan struct{})
	go func() { // send until the server answers or hangs up
		chunk := make([]byte, 64<<10)
		frame := chunk
		if chunked {
			frame = append([]byte(fmt.Sprintf("%x\r\n", len(chunk))), append(chunk, "\r\n"...)...)
		}
		for sent := 0; sent < size; sent += len(chunk) {
			select {
			case <-answered:
				return
			default:
			}
			if _, err := c.Write(frame); err != nil {
				return
			}
		}
	}()
	defer close(answered)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// Every route but import and images takes small bodies only, and a larger one is refused
// before it is read: 24 clients each sending 32 MiB at once to a missing path, to a form
// route and chunked do not make the server hold their bodies.
func TestLargeBodiesRefusedBeforeReading(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	const clients, size = 24, 32 << 20
	for _, c := range []struct {
		name, path string
		chunked    bool
	}{
		{"MissingPath", "/no/such/page", false},
		{"CreateBoard", "/boards", false},
		{"CreateBoardChunked", "/boards", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			statuses := make([]int, clients)
			errs := make([]error, clients)
			grew := peakRSS(t, func() {
				var wg sync.WaitGroup
				for i := range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						statuses[i], errs[i] = rawPost(ts.Addr(), c.path, size, c.chunked)
					}()
				}
				wg.Wait()
			})
			for i := range clients {
				if errs[i] != nil || statuses[i] != 413 {
					t.Fatalf("client %d: %d %v, want 413", i, statuses[i], errs[i])
				}
			}
			if grew > 64<<20 {
				t.Errorf("the server's memory peaked %d MiB higher", grew>>20)
			}
			alive(t, ts)
		})
	}
	t.Run("SmallFormsStillWork", func(t *testing.T) {
		if resp, _ := post(t, ts.URL+"/boards", "application/x-www-form-urlencoded", []byte("a=b")); resp.StatusCode != 303 {
			t.Fatalf("create board: %d", resp.StatusCode)
		}
	})
}
