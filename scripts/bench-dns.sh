#!/usr/bin/env bash
# Compares vpce's VPC resolver with Debian's unbound answering the same
# 10,000 endpoint names from local-data, with dnsperf, on loopback, in the
# same run on the same machine. Needs the Debian packages dnsperf and
# unbound (installed when missing). Prints both figures.
# VPCE_BENCH_ZONE_NAMES=N adds N names of a private hosted zone;
# VPCE_BENCH_RESOLVER=1 also measures a Route 53 Resolver inbound endpoint
# of the first VPC and a VPC whose FORWARD rules send every name to it.
#   bash scripts/bench-dns.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
need=()
command -v dnsperf >/dev/null || need+=(dnsperf)
[ -x /usr/sbin/unbound ] || need+=(unbound)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/vpce" ./cmd/vpce
"$work/vpce" serve --state "$work/state" --listen 127.0.0.1:4599 --dns 0.0.0.0:5398 --provision-delay 0s --log-level warn --quota vpcs=1000 &
for _ in $(seq 50); do curl -sf 127.0.0.1:4599/_vpce/health >/dev/null && break; sleep 0.2; done
go run ./scripts/dnsbench -endpoint-url http://127.0.0.1:4599 -out "$work" -unbound-port 5399 -zone-names "${VPCE_BENCH_ZONE_NAMES:-0}" -resolver-endpoints="${VPCE_BENCH_RESOLVER:-0}" | tee "$work/setup.txt"
vpc=$(sed -n 's/.*first-vpc=\(vpc-[0-9a-f]*\).*/\1/p' "$work/setup.txt")
addr=$("$work/vpce" dns --endpoint-url http://127.0.0.1:4599 -o json | python3 -c "import json,sys; print([r['address'] for r in json.load(sys.stdin) if r['vpcId']=='$vpc'][0])")
dig +short @"$addr" -p 5398 "$(head -1 "$work/queries.txt" | cut -d' ' -f1)" >/dev/null  # warm the view
/usr/sbin/unbound -c "$work/unbound.conf" &
sleep 2
dig +short @127.0.0.1 -p 5399 "$(head -1 "$work/queries.txt" | cut -d' ' -f1)" >/dev/null
run() { dnsperf -s "$1" -p "$2" -d "$work/queries.txt" -l "$secs" -c 8 -q 200 2>&1 | tee "$work/$3.txt" | grep -E "Queries (sent|completed|lost)|Queries per second|Average Latency"; }
echo "== vpce (VPC resolver $addr:5398) =="
run "$addr" 5398 vpce
if [ "${VPCE_BENCH_RESOLVER:-0}" = 1 ]; then
  inb=$(sed -n 's/.*inbound-endpoint=\(rslvr-in-[0-9a-f]*\).*/\1/p' "$work/setup.txt")
  rvpc=$(sed -n 's/.*rule-vpc=\(vpc-[0-9a-f]*\).*/\1/p' "$work/setup.txt")
  list=$("$work/vpce" dns --endpoint-url http://127.0.0.1:4599 -o json)
  iaddr=$(echo "$list" | python3 -c "import json,sys; print([r['address'] for r in json.load(sys.stdin) if r.get('inboundEndpoint')=='$inb'][0])")
  raddr=$(echo "$list" | python3 -c "import json,sys; print([r['address'] for r in json.load(sys.stdin) if r['vpcId']=='$rvpc' and not r.get('inboundEndpoint')][0])")
  q=$(head -1 "$work/queries.txt" | cut -d' ' -f1)
  [ -n "$(dig +short @"$iaddr" -p 5398 "$q")" ] && [ "$(dig +short @"$raddr" -p 5398 "$q")" = "$(dig +short @"$addr" -p 5398 "$q")" ] || { echo "resolver endpoint answers differ" >&2; exit 1; }
  echo "== vpce inbound endpoint $inb ($iaddr:5398) =="
  run "$iaddr" 5398 inbound
  echo "== vpce VPC $rvpc with FORWARD rules to the inbound endpoint ($raddr:5398) =="
  run "$raddr" 5398 forwarded
fi
echo "== unbound $( /usr/sbin/unbound -V | head -1 ) (local-data, 2 threads) =="
run 127.0.0.1 5399 unbound
v=$(awk '/Queries per second/ {print $4}' "$work/vpce.txt")
u=$(awk '/Queries per second/ {print $4}' "$work/unbound.txt")
echo "vpce: $v qps; unbound: $u qps"
if [ "${VPCE_BENCH_RESOLVER:-0}" = 1 ]; then
  echo "inbound endpoint: $(awk '/Queries per second/ {print $4}' "$work/inbound.txt") qps; forwarded by rule: $(awk '/Queries per second/ {print $4}' "$work/forwarded.txt") qps"
fi
