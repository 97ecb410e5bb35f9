#!/usr/bin/env bash
# Data-plane throughput on one machine, in one run, with wrk (Debian):
# S3 GetObject of 1 KiB straight to an upstream S3, through haproxy (mode
# http), and through vpce's data plane (absolute-form HTTP proxying: the
# path decided, the request mapped to s3:GetObject and decided with the
# endpoint policy, metered). wrk cannot open CONNECT tunnels: TLS is
# measured with scripts/proxyload (Go, kept-alive connections) against
# haproxy terminating TLS and vpce's tunnels with its CA.
set -euo pipefail
cd "$(dirname "$0")/.."
for p in wrk haproxy; do command -v $p >/dev/null || { apt-get update -q && apt-get install -y -q wrk haproxy; break; }; done
dir=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$dir"' EXIT
go build -o "$dir/vpce" ./cmd/vpce
go build -o "$dir/s3server" ./scripts/s3server
go build -o "$dir/proxyload" ./scripts/proxyload
go build -o "$dir/bareproxy" ./scripts/bareproxy
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/key.pem" -out "$dir/cert.pem" -days 1 -subj /CN=localhost 2>/dev/null
cat "$dir/cert.pem" "$dir/key.pem" > "$dir/haproxy.pem"
"$dir/s3server" -listen 127.0.0.1:9100 & sleep 0.5
curl -sf -X PUT http://127.0.0.1:9100/reports >/dev/null
head -c 1024 /dev/zero | tr '\0' x | curl -sf -X PUT --data-binary @- http://127.0.0.1:9100/reports/public/k >/dev/null
cat > "$dir/haproxy.cfg" <<CFG
global
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend f
  bind 127.0.0.1:9200
  default_backend b
frontend ftls
  bind 127.0.0.1:9443 ssl crt $dir/haproxy.pem
  default_backend b
backend b
  server s1 127.0.0.1:9100
CFG
haproxy -f "$dir/haproxy.cfg" & sleep 0.5
# The same proxies held to one thread each (haproxy nbthread 1, vpce
# GOMAXPROCS=1): on a two-core machine shared with the client and the
# upstream, a second thread mostly wakes and contends.
sed -e 's/maxconn 4096/maxconn 4096\n  nbthread 1/' -e 's/9200/9201/' -e 's/9443/9444/' "$dir/haproxy.cfg" > "$dir/haproxy1.cfg"
haproxy -f "$dir/haproxy1.cfg" & sleep 0.5
# The floor: a Go forwarder that does nothing but forward (no path, no
# policy, no metering), one goroutine per connection as vpce, and one epoll
# thread as haproxy — what any Go proxy can reach on this machine.
"$dir/bareproxy" -mode goroutine -listen 127.0.0.1:9300 -upstream 127.0.0.1:9100 &
"$dir/bareproxy" -mode loop -listen 127.0.0.1:9301 -upstream 127.0.0.1:9100 & sleep 0.5
"$dir/vpce" serve --state "$dir/state" --listen 127.0.0.1:4599 --dns "" --proxy 127.0.0.1:4590 --provision-delay 0s \
  --upstream s3=http://127.0.0.1:9100 --log-level warn & sleep 1
export AWS_ACCESS_KEY_ID=123456789012 AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=
A="/usr/bin/aws --endpoint-url http://127.0.0.1:4599 ec2"
vpc=$($A create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId --output text)
sn=$($A create-subnet --vpc-id "$vpc" --cidr-block 10.0.1.0/24 --query Subnet.SubnetId --output text)
inst=$($A run-instances --image-id ami-12345678 --subnet-id "$sn" --query 'Instances[0].InstanceId' --output text)
rtb=$($A describe-route-tables --filters Name=vpc-id,Values="$vpc" --query 'RouteTables[0].RouteTableId' --output text)
$A create-vpc-endpoint --vpc-id "$vpc" --service-name com.amazonaws.us-east-1.s3 --route-table-ids "$rtb" >/dev/null
auth=$(printf '%s:x' "$inst" | base64 -w0)
cat > "$dir/proxy.lua" <<LUA
wrk.method = "GET"
wrk.path = "http://s3.us-east-1.amazonaws.com/reports/public/k"
wrk.headers["Proxy-Authorization"] = "Basic $auth"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=123456789012/20261202/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"
LUA
curl -sf -x "http://$inst:x@127.0.0.1:4590" http://s3.us-east-1.amazonaws.com/reports/public/k | head -c 10; echo " (through vpce)"
# A second vpce on the same state (a copy), held to one thread.
cp -r "$dir/state" "$dir/state1" && rm -f "$dir/state1/vpce.lock"
GOMAXPROCS=1 "$dir/vpce" serve --state "$dir/state1" --listen 127.0.0.1:4598 --dns "" --proxy 127.0.0.1:4591 --provision-delay 0s \
  --upstream s3=http://127.0.0.1:9100 --log-level warn & sleep 1
sed 's/4590/4591/' "$dir/proxy.lua" > "$dir/proxy1.lua"
# The Authorization header vpce needs is sent to haproxy too (same bytes upstream).
cat > "$dir/direct.lua" <<LUA
wrk.method = "GET"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=123456789012/20261202/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"
LUA
runs=("direct -s $dir/direct.lua http://127.0.0.1:9100/reports/public/k"
  "haproxy -s $dir/direct.lua http://127.0.0.1:9200/reports/public/k"
  "vpce -s $dir/proxy.lua http://127.0.0.1:4590/"
  "haproxy-1-thread -s $dir/direct.lua http://127.0.0.1:9201/reports/public/k"
  "vpce-GOMAXPROCS=1 -s $dir/proxy1.lua http://127.0.0.1:4591/"
  "bare-go-goroutines -s $dir/direct.lua http://127.0.0.1:9300/reports/public/k"
  "bare-go-epoll-loop -s $dir/direct.lua http://127.0.0.1:9301/reports/public/k")
echo "== throughput: wrk -t2 -c16 10 s (requests/s, p50, p99)"
for run in "${runs[@]}"; do
  set -- $run; name=$1; shift
  printf '%-20s %s\n' "$name" "$(wrk -t2 -c16 -d10s --latency "$@" | awk '/Requests\/sec/{r=$2} $1=="50%"{p50=$2} $1=="99%"{p99=$2} /Non-2xx/{e=" NON-2XX:"$NF} END{print r, p50, p99 e}')"
done
echo "== latency one request at a time: wrk -t1 -c1 10 s (requests/s, p50, p99)"
for run in "${runs[@]:0:3}"; do
  set -- $run; name=$1; shift
  printf '%-20s %s\n' "$name" "$(wrk -t1 -c1 -d10s --latency "$@" | awk '/Requests\/sec/{r=$2} $1=="50%"{p50=$2} $1=="99%"{p99=$2} /Non-2xx/{e=" NON-2XX:"$NF} END{print r, p50, p99 e}')"
done

sig="AWS4-HMAC-SHA256 Credential=123456789012/20261202/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"
echo "== TLS with proxyload (-c 16, 10 s)"
echo -n "haproxy TLS termination: "; "$dir/proxyload" -url https://127.0.0.1:9443/reports/public/k -insecure -c 16 -d 10s
echo -n "vpce CONNECT + TLS:      "; "$dir/proxyload" -url https://s3.us-east-1.amazonaws.com/reports/public/k -proxy "http://$inst:x@127.0.0.1:4590" -ca "$dir/state/ca/vpce-ca.pem" -auth "$sig" -c 16 -d 10s
echo -n "haproxy 1 thread TLS:    "; "$dir/proxyload" -url https://127.0.0.1:9444/reports/public/k -insecure -c 16 -d 10s
echo -n "vpce GOMAXPROCS=1 TLS:   "; "$dir/proxyload" -url https://s3.us-east-1.amazonaws.com/reports/public/k -proxy "http://$inst:x@127.0.0.1:4591" -ca "$dir/state1/ca/vpce-ca.pem" -auth "$sig" -c 16 -d 10s
echo "== plain HTTP with proxyload (-c 16, 10 s)"
echo -n "direct:  "; "$dir/proxyload" -url http://127.0.0.1:9100/reports/public/k -c 16 -d 10s
echo -n "haproxy: "; "$dir/proxyload" -url http://127.0.0.1:9200/reports/public/k -c 16 -d 10s
echo -n "vpce:    "; "$dir/proxyload" -url http://s3.us-east-1.amazonaws.com/reports/public/k -proxy "http://$inst:x@127.0.0.1:4590" -auth "$sig" -c 16 -d 10s
