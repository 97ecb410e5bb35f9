#!/usr/bin/env bash
# DNS while writes land: dnsperf against the resolver of the biggest VPC of a
# seeded state directory, first alone, then while 20 writes/s (an interface
# created and deleted in that VPC, ten times a second, by scripts/writeload)
# land.
# Needs dnsperf (installed when missing).
#   go run ./scripts/seed -state /tmp/big -n 100000
#   bash scripts/bench-dns-writes.sh /tmp/big [seconds]
# WRITE_SERVICE=com.amazonaws.us-east-1.ssm makes the writes interface
# endpoints (created and deleted) instead of interfaces; with
#   go run ./scripts/seed -state /tmp/eps -n 1000 -endpoints 100000
# that is DNS while endpoints are written on a state of 100,000 endpoints.
set -euo pipefail
cd "$(dirname "$0")/.."
state=${1:?seeded state directory}
secs=${2:-10}
command -v dnsperf >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q dnsperf; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/vpce" ./cmd/vpce
"$work/vpce" serve --state "$state" --listen 127.0.0.1:4596 --dns 0.0.0.0:5388 --proxy "" --log-level warn &
for _ in $(seq 200); do curl -sf 127.0.0.1:4596/_vpce/health >/dev/null && break; sleep 0.1; done
api() { curl -s -H 'Content-Type: application/x-www-form-urlencoded' -H 'Authorization: AWS4-HMAC-SHA256 Credential=123456789012/20261201/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0' -d "$1" 127.0.0.1:4596/; }
# The seed's first VPC (10.1.0.0/16) holds 64,000 of the interfaces.
vpc=$(api 'Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=cidr&Filter.1.Value.1=10.1.0.0/16' | grep -o 'vpc-[0-9a-f]*' | head -1)
subnet=$(api "Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=$vpc&MaxResults=5" | grep -o 'subnet-[0-9a-f]*' | head -1)
addr=$("$work/vpce" dns --endpoint-url http://127.0.0.1:4596 -o json | python3 -c "import json,sys; print([r['address'] for r in json.load(sys.stdin) if r['vpcId']=='$vpc'][0])")
printf '%s A\n' ssm.us-east-1.amazonaws.com s3.us-east-1.amazonaws.com ec2.us-east-1.amazonaws.com sts.us-east-1.amazonaws.com kms.us-east-1.amazonaws.com > "$work/queries.txt"
# With endpoints seeded (seed -endpoints, account 210987654321): one of
# their public vpce names too.
vpce=$(curl -s -H 'Content-Type: application/x-www-form-urlencoded' -H 'Authorization: AWS4-HMAC-SHA256 Credential=210987654321/20261201/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0' \
  -d 'Action=DescribeVpcEndpoints&Version=2016-11-15&MaxResults=5' 127.0.0.1:4596/ | grep -o '<dnsName>[^<]*' | head -1 | sed 's/<dnsName>//')
[ -n "$vpce" ] && echo "$vpce A" >> "$work/queries.txt"
cat "$work/queries.txt"
dig +short @"$addr" -p 5388 ssm.us-east-1.amazonaws.com >/dev/null # build the view
run() { dnsperf -s "$addr" -p 5388 -d "$work/queries.txt" -l "$secs" -c 8 -q 200 2>&1 | grep -E "Queries (completed|lost)|Queries per second|Average Latency" | tr -s ' ' | paste -sd' '; }
# The seed fills its subnets: free one address for the writes.
free=$(api "Action=DescribeNetworkInterfaces&Version=2016-11-15&Filter.1.Name=subnet-id&Filter.1.Value.1=$subnet&MaxResults=5" | grep -o 'eni-[0-9a-f]*' | head -1)
api "Action=DeleteNetworkInterface&Version=2016-11-15&NetworkInterfaceId=$free" >/dev/null
n=$(api "Action=DescribeNetworkInterfaces&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=$vpc" | grep -o '<networkInterfaceId>' | wc -l)
echo "VPC $vpc (resolver $addr, $n interfaces), subnet $subnet"
echo "no writes:      $(run)"
go build -o "$work/writeload" ./scripts/writeload
"$work/writeload" -endpoint-url http://127.0.0.1:4596 -subnet "$subnet" -vpc "$vpc" ${WRITE_SERVICE:+-service "$WRITE_SERVICE"} -rate 20 -duration "$((secs + 1))s" > "$work/writes" &
writer=$!
echo "20 writes/s:    $(run)"
wait $writer
cat "$work/writes"

