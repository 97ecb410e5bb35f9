// Command constserver answers every EC2 Query request with one fixed, valid
// response, as fast as Go's net/http can: the ceiling a load tool reaches
// on this machine, against which scripts/bench-raw.sh compares vpce. With
// -durable DIR its write actions (Create*, Delete*) are first appended to
// a log in DIR and flushed to the disk (group commit): the ceiling of any
// server whose answers are durable there.
package main

import (
	"flag"
	"log"
	"net/http"

	"github.com/vpce/vpce/scripts/internal/floor"
)

const answer = `<?xml version="1.0" encoding="UTF-8"?>
<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><vpcSet><item><vpcId>vpc-0123456789abcdef0</vpcId><cidrBlock>10.0.0.0/16</cidrBlock><state>available</state></item></vpcSet></DescribeVpcsResponse>`

func main() {
	listen := flag.String("listen", "127.0.0.1:4598", "address to serve on")
	durable := flag.String("durable", "", "a directory on the disk to measure: writes are flushed there before their answer")
	flag.Parse()
	var g *floor.Log
	if *durable != "" {
		var err error
		if g, err = floor.New(*durable); err != nil {
			log.Fatal(err)
		}
	}
	log.Fatal(http.ListenAndServe(*listen, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm() // read the body, as a real server must
		if g != nil {
			if err := g.Write(r.Form.Get("Action"), r.Form.Encode()); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		w.Write([]byte(answer))
	})))
}
