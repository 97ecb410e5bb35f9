// Command constserver answers every EC2 Query request with one fixed, valid
// response, as fast as Go's net/http can: the ceiling a load tool reaches
// on this machine, against which scripts/bench-raw.sh compares vpce.
package main

import (
	"flag"
	"log"
	"net/http"
)

const answer = `<?xml version="1.0" encoding="UTF-8"?>
<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><vpcSet><item><vpcId>vpc-0123456789abcdef0</vpcId><cidrBlock>10.0.0.0/16</cidrBlock><state>available</state></item></vpcSet></DescribeVpcsResponse>`

func main() {
	listen := flag.String("listen", "127.0.0.1:4598", "address to serve on")
	flag.Parse()
	log.Fatal(http.ListenAndServe(*listen, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm() // read the body, as a real server must
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		w.Write([]byte(answer))
	})))
}
