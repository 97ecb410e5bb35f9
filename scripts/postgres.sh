#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests (Debian's postgresql
# package, run as the postgres user) and prints the DSN to use:
#   export VPCE_TEST_POSTGRES=$(bash scripts/postgres.sh start DIR)
#   bash scripts/postgres.sh stop DIR
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}
port=${VPCE_PG_PORT:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
case "$cmd" in
start)
  mkdir -p "$dir"
  chown postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    su postgres -s /bin/sh -c "$bin/initdb -D '$dir/data' -A trust -U vpce" >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  su postgres -s /bin/sh -c "$bin/pg_ctl -D '$dir/data' -l '$dir/server.log' -w \
    -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c max_connections=200\" start" >&2 ||
    { cat "$dir/server.log" >&2; exit 1; }
  echo "postgres://vpce@127.0.0.1:$port/postgres?sslmode=disable"
  ;;
stop)
  su postgres -s /bin/sh -c "$bin/pg_ctl -D '$dir/data' -m fast stop" >&2 || true
  ;;
esac
