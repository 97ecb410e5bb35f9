#!/usr/bin/env bash
# Raw request rates with wrk (-t2 -c16): a read (DescribeVpcs by ID) and a durable
# write (CreateTags on a VPC) against a fresh vpce serve, and the same
# requests against a constant-answer server in the same run — for the
# write also against that server flushing each write to this disk first
# (the durable floor, scripts/internal/floor). Needs wrk (Debian package,
# installed when missing).
#   bash scripts/bench-raw.sh [seconds]
# VPCE_BENCH_STORE=postgres://… measures vpce on a shared PostgreSQL store;
# VPCE_BENCH_ARGS adds flags to vpce serve (--fsync=false); VPCE_BENCH_CONNS
# sets wrk's connections (16).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
command -v wrk >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/vpce" ./cmd/vpce
go build -o "$work/constserver" ./scripts/constserver
"$work/vpce" serve --state "$work/state" ${VPCE_BENCH_STORE:+--store "$VPCE_BENCH_STORE"} ${VPCE_BENCH_ARGS:-} --listen 127.0.0.1:4599 --dns "" --log-level warn &
"$work/constserver" -listen 127.0.0.1:4598 &
# The durable floor: the constant server flushing each write to this disk
# (group commit) before its answer — what any durable server gets here.
"$work/constserver" -listen 127.0.0.1:4597 -durable "$work" &
for _ in $(seq 50); do curl -sf 127.0.0.1:4599/_vpce/health >/dev/null && break; sleep 0.2; done
vpc=$(curl -s -H 'Content-Type: application/x-www-form-urlencoded' -d 'Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16' 127.0.0.1:4599/ | sed -n 's/.*<vpcId>\(vpc-[0-9a-f]*\)<.*/\1/p')
cat > "$work/read.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "Action=DescribeVpcs&Version=2016-11-15&VpcId.1=$vpc"
LUA
cat > "$work/write.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, "Action=CreateTags&Version=2016-11-15&ResourceId.1=$vpc&Tag.1.Key=k" .. (n % 40) .. "&Tag.1.Value=v" .. n)
end
LUA
for kind in read write; do
  targets="4598 4599"; [ "$kind" = write ] && targets="4598 4597 4599"
  for target in $targets; do
    case $target in 4598) name=constant ;; 4597) name=durable-floor ;; *) name=vpce ;; esac
    printf '%-6s %-13s ' "$kind" "$name"
    wrk -t2 -c"${VPCE_BENCH_CONNS:-16}" -d"${secs}s" -s "$work/$kind.lua" "http://127.0.0.1:$target/" | awk '/Requests\/sec/ {printf "%s req/s  ", $2} /Latency/ {printf "latency avg %s  ", $2} /Non-2xx/ {printf "non-2xx %s", $4} END {print ""}'
  done
done
