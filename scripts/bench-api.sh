#!/usr/bin/env bash
# Drives a fresh vpce serve with aws-sdk-go-v2 clients (the network and
# endpoint mixes) and a constant-answer server in the same run, and prints
# both figures and the ratio.
#   bash scripts/bench-api.sh [seconds-per-run] [workers]
# VPCE_BENCH_STORE=postgres://… measures vpce on a shared PostgreSQL store;
# VPCE_BENCH_ARGS adds flags to vpce serve (--fsync=false).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
workers=${2:-4}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/vpce" ./cmd/vpce
"$work/vpce" serve --state "$work/state" ${VPCE_BENCH_STORE:+--store "$VPCE_BENCH_STORE"} ${VPCE_BENCH_ARGS:-} --listen 127.0.0.1:4599 --dns "" --provision-delay 0s --log-level warn --quota vpcs=1000 &
for _ in $(seq 50); do curl -sf 127.0.0.1:4599/_vpce/health >/dev/null && break; sleep 0.2; done
for mix in network endpoint; do
  go run ./scripts/apibench -log-dir "$work" -endpoint-url http://127.0.0.1:4599 -mix "$mix" -workers "$workers" -duration "${secs}s"
done
