#!/usr/bin/env bash
# The data plane while writes land in a large account: wrk through vpce's
# proxy (S3 GetObject of 1 KiB from an instance in the seed's first VPC,
# which holds 64,000 interfaces, through an S3 gateway endpoint), first
# alone, then while scripts/writeload creates and deletes an interface in
# that VPC at RATE writes/s — every write changes what the instance's
# paths are decided on, so each is followed by a snapshot of the account.
# Needs wrk (installed when missing).
#   go run ./scripts/seed -state /tmp/big -n 100000
#   bash scripts/bench-dataplane-writes.sh /tmp/big [seconds] [rate]
# VPCE_BIN runs another vpce build on the same state.
set -euo pipefail
cd "$(dirname "$0")/.."
state=${1:?seeded state directory}
secs=${2:-10}
rate=${3:-20}
command -v wrk >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/vpce" ./cmd/vpce
go build -o "$work/s3server" ./scripts/s3server
go build -o "$work/writeload" ./scripts/writeload
bin=${VPCE_BIN:-$work/vpce}
"$work/s3server" -listen 127.0.0.1:9101 &
sleep 0.5
curl -sf -X PUT http://127.0.0.1:9101/reports >/dev/null
head -c 1024 /dev/zero | tr '\0' x | curl -sf -X PUT --data-binary @- http://127.0.0.1:9101/reports/k >/dev/null
"$bin" serve --state "$state" --listen 127.0.0.1:4597 --dns "" --proxy 127.0.0.1:4593 --provision-delay 0s \
  --upstream s3=http://127.0.0.1:9101 --log-level warn &
for _ in $(seq 300); do curl -sf 127.0.0.1:4597/_vpce/health >/dev/null && break; sleep 0.1; done
api() { curl -s -H 'Content-Type: application/x-www-form-urlencoded' -H 'Authorization: AWS4-HMAC-SHA256 Credential=123456789012/20261201/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0' -d "$1" 127.0.0.1:4597/; }
vpc=$(api 'Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=cidr&Filter.1.Value.1=10.1.0.0/16' | grep -o 'vpc-[0-9a-f]*' | head -1)
# VPCE_HOSTNAMES=1 turns the VPC's DNS host names on (every interface then
# has an ip-… name its DNS view answers).
[ "${VPCE_HOSTNAMES:-}" = 1 ] && api "Action=ModifyVpcAttribute&Version=2016-11-15&VpcId=$vpc&EnableDnsHostnames.Value=true" >/dev/null
subnet=$(api "Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=$vpc&MaxResults=5" | grep -o 'subnet-[0-9a-f]*' | head -1)
# The seed fills its subnets: free two addresses (the instance's, the writes').
for eni in $(api "Action=DescribeNetworkInterfaces&Version=2016-11-15&Filter.1.Name=subnet-id&Filter.1.Value.1=$subnet&MaxResults=5" | grep -o 'eni-[0-9a-f]*' | sort -u | head -2); do
  api "Action=DeleteNetworkInterface&Version=2016-11-15&NetworkInterfaceId=$eni" >/dev/null
done
inst=$(api "Action=RunInstances&Version=2016-11-15&ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId=$subnet" | grep -o 'i-[0-9a-f]\{17\}' | head -1)
rtb=$(api "Action=DescribeRouteTables&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=$vpc" | grep -o 'rtb-[0-9a-f]*' | head -1)
api "Action=CreateVpcEndpoint&Version=2016-11-15&VpcId=$vpc&ServiceName=com.amazonaws.us-east-1.s3&RouteTableId.1=$rtb" | grep -o 'vpce-[0-9a-f]*' | head -1
auth=$(printf '%s:x' "$inst" | base64 -w0)
cat > "$work/proxy.lua" <<LUA
wrk.method = "GET"
wrk.path = "http://s3.us-east-1.amazonaws.com/reports/k"
wrk.headers["Proxy-Authorization"] = "Basic $auth"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=123456789012/20261202/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"
LUA
echo "VPC $vpc, subnet $subnet, instance $inst"
curl -s -o /dev/null -w 'first request through vpce: %{http_code} in %{time_total} s\n' -x "http://$inst:x@127.0.0.1:4593" http://s3.us-east-1.amazonaws.com/reports/k
run() { wrk -t2 -c16 -d"${secs}s" --latency -s "$work/proxy.lua" http://127.0.0.1:4593/ | grep -E "Requests/sec|99%|Non-2xx|Socket errors" | tr -s ' ' | paste -sd' '; }
echo "no writes:          $(run)"
"$work/writeload" -endpoint-url http://127.0.0.1:4597 -subnet "$subnet" -rate "$rate" -duration "$((secs + 1))s" > "$work/writes" &
writer=$!
echo "$rate writes/s:      $(run)"
wait $writer
cat "$work/writes"
