// Command s3server serves an in-memory S3 (gofakes3) on a loopback
// address: the upstream of the data-plane benchmark
// (scripts/bench-dataplane.sh), so that direct, haproxy and vpce are
// measured against the same server.
package main

import (
	"flag"
	"log"
	"net/http"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:9100", "address to serve on")
	flag.Parse()
	s3 := gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog()))
	log.Fatal(http.ListenAndServe(*addr, s3.Server()))
}
