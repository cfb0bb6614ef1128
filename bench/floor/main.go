// Command floor runs internal/floor: the least a server can do and still speak Tabula's
// sync protocol, to measure what the machine itself costs a fan-out (issue 17). A
// benchmark tool, not part of the product; bench/hocuspocus/compare.sh runs it with
// SERVERS=floor.
//
//	go run ./bench/floor -addr 127.0.0.1:8096
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"time"

	"tabula/internal/floor"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8096", "listen address")
	split := flag.Int("split", runtime.GOMAXPROCS(0), "goroutines that share a round's writes (Tabula uses GOMAXPROCS)")
	tick := flag.Duration("tick", 0, "least time from one fan-out round's start to the next's (0: as soon as the last round is written)")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "floor listening on %s, split %d\n", ln.Addr(), *split)
	srv := &http.Server{Handler: floor.New(*split, *tick), ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}
