#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback for the test suites and prints its DSN:
#   export AIDLEDGER_TEST_POSTGRES=$(scripts/test-postgres.sh)
# Needs Debian's postgresql package (apt-get install -y postgresql) and root (to run the server
# as the postgres user). The cluster trades durability for speed (fsync off): test data only.
# AIDLEDGER_TEST_PG_DURABLE=1 keeps PostgreSQL's durable defaults (for benchmarks).
# AIDLEDGER_TEST_PG_SOCKET=1 prints a DSN for its Unix socket instead of TCP on loopback (how a
# server on the same machine should connect: docs/benchmarks-log.md, thirty-third session).
# AIDLEDGER_TEST_PG_OPTS adds server options, e.g. "-c shared_preload_libraries=pg_stat_statements".
# Stop it with: scripts/test-postgres.sh stop
set -euo pipefail
dir=${AIDLEDGER_TEST_PG_DIR:-/tmp/aidledger-test-pg}
port=${AIDLEDGER_TEST_PG_PORT:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
  echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2
  exit 1
fi
as_pg() { su postgres -s /bin/sh -c "$*"; }
if [ "${1:-}" = stop ]; then
  [ -d "$dir" ] && as_pg "$bin/pg_ctl -D $dir -m fast -w stop" >/dev/null || true
  exit 0
fi
if [ -d "$dir" ] && as_pg "$bin/pg_ctl -D $dir status" >/dev/null 2>&1; then
  as_pg "$bin/pg_ctl -D $dir -m fast -w stop" >/dev/null
fi
rm -rf "$dir"
mkdir -p "$dir"
chown postgres "$dir"
as_pg "$bin/initdb -D $dir -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${AIDLEDGER_TEST_PG_DURABLE:-}" = 1 ] && fast=""
fast="$fast ${AIDLEDGER_TEST_PG_OPTS:-}"
as_pg "$bin/pg_ctl -D $dir -l $dir/server.log -w start -o \"-c listen_addresses=127.0.0.1 -p $port -k $dir $fast -c max_connections=500\"" >/dev/null
if [ "${AIDLEDGER_TEST_PG_SOCKET:-}" = 1 ]; then
  echo "postgres://postgres@/postgres?host=$dir&port=$port&sslmode=disable"
else
  echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
fi
