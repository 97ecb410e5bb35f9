#!/usr/bin/env bash
# The test command: installs what the tests need on a fresh Debian machine,
# then runs every test with the race detector. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/aws ] || need+=(awscli)
[ -x /usr/bin/dig ] || need+=(dnsutils)
[ -x /usr/bin/curl ] || need+=(curl)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${need[@]}"
fi
/usr/bin/aws --version
/usr/bin/dig -v 2>&1
/usr/bin/curl --version | head -1
# crane (go-containerregistry, pinned): a real registry client, and the
# registry behind the ECR endpoint, for TestRegistryWithCrane.
VPCE_CRANE="$(go env GOPATH)/bin/crane"
[ -x "$VPCE_CRANE" ] || GOBIN="$(go env GOPATH)/bin" go install github.com/google/go-containerregistry/cmd/crane@v0.22.1
export VPCE_CRANE
"$VPCE_CRANE" version

# A throwaway PostgreSQL for the shared-store tests (they fail without it).
pgdir=$(mktemp -d /tmp/vpce-pg.XXXXXX)
trap 'bash scripts/postgres.sh stop "$pgdir"; rm -rf "$pgdir"' EXIT
VPCE_TEST_POSTGRES=$(bash scripts/postgres.sh start "$pgdir")
export VPCE_TEST_POSTGRES VPCE_REQUIRE_POSTGRES=1

gofmt_out=$(gofmt -l cmd internal test)
if [ -n "$gofmt_out" ]; then
  echo "gofmt would change:"; echo "$gofmt_out"; exit 1
fi
go vet ./...
go test -race -count=1 -timeout 40m ./...
