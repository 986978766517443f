#!/usr/bin/env bash
# End-to-end benchmark of docs/benchmarks.md: builds aidledger, starts a fresh server (embedded
# chain; SQLite, or PostgreSQL with DB=postgres://…), sets up vendors and beneficiaries over the
# API, then runs the load generator: RUNS closed-loop runs (each followed by the ERC20 baseline)
# and, for each rate in RATES, RUNS open-loop runs. First, unless CHAIN_LIMIT_MGAS is given, it
# measures the chain's limit for redemption batches (BenchmarkChainLimit), and each run reports
# its share of it. Every result is saved as JSON (and a chart) in OUT. Takes the machine to
# itself: run nothing else meanwhile.
#
#   scripts/bench-e2e.sh                          # 100k beneficiaries, SQLite, 3 runs
#   BENEFICIARIES=1000000 RUNS=1 RATES= BASELINE=0 scripts/bench-e2e.sh
#   DB=postgres://user@host/db scripts/bench-e2e.sh
#   DB=$(AIDLEDGER_TEST_PG_DURABLE=1 AIDLEDGER_TEST_PG_SOCKET=1 scripts/test-postgres.sh) scripts/bench-e2e.sh
#                                                 # PostgreSQL on this machine, over its Unix socket
#   CLOSED=0 RATES=500 scripts/bench-e2e.sh      # only the open loop (CLOSED: closed-loop runs)
set -euo pipefail
cd "$(dirname "$0")/.."

BENEFICIARIES=${BENEFICIARIES:-100000}
VENDORS=${VENDORS:-200}
RUNS=${RUNS:-3}
CLOSED=${CLOSED:-$RUNS} # closed-loop runs; 0 = only the open loop
DURATION=${DURATION:-60s}
RATES=${RATES-500 800}
BASELINE=${BASELINE:-1} # 0 skips the ERC20 baseline after each closed-loop run
DB=${DB:-}
PPROF=${PPROF:-} # e.g. 127.0.0.1:6060: the server serves /debug/pprof there
# Mgas/s the node executes of redemption batches doing nothing else, against which each run
# reports its share; empty: measured first, on the idle machine (BenchmarkChainLimit); 0: none.
CHAIN_LIMIT_MGAS=${CHAIN_LIMIT_MGAS:-}
OUT=${OUT:-/tmp/aidledger-bench}
WORK=${WORK:-/tmp/aidledger-bench-data}
ADDR=127.0.0.1:19180
RPC=127.0.0.1:19645
ADMIN=admin@lt.example.org
PASSWORD=load-test-admin-pw

mkdir -p "$OUT"
rm -rf "$WORK"
mkdir -p "$WORK"
go build -o "$WORK/aidledger" ./cmd/aidledger
bin=$WORK/aidledger
data=$WORK/data

if [ -z "$CHAIN_LIMIT_MGAS" ]; then
  go test -run '^$' -bench 'ChainLimit$' -benchtime 20x -count 3 ./server/chain/ledger | tee "$OUT/chain-limit.txt"
  CHAIN_LIMIT_MGAS=$(awk '/^BenchmarkChainLimit-/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mgas/s") print $i }' \
    "$OUT/chain-limit.txt" | sort -n | sed -n 2p) # the median of three
  [ -n "$CHAIN_LIMIT_MGAS" ] || { echo "no chain limit measured" >&2; exit 1; }
fi

server_pid=
start_server() { # lanes log
  "$bin" serve --data-dir "$data" ${DB:+--db "$DB"} --lanes "$1" --addr $ADDR --rpc-addr $RPC ${PPROF:+--pprof-addr "$PPROF"} >"$2" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do
    curl -sf http://$ADDR/readyz >/dev/null && return 0
    kill -0 $server_pid 2>/dev/null || { cat "$2" >&2; return 1; }
    sleep 1
  done
  echo "server not ready" >&2
  return 1
}
stop_server() {
  kill -INT $server_pid
  wait $server_pid || true
}
trap '[ -n "$server_pid" ] && kill $server_pid 2>/dev/null || true' EXIT

# A third lane key in the genesis allocation funds the ERC20 baseline; the server then runs with
# two lanes, so nothing else signs with it.
start_server 3 "$OUT/server-init.log"
stop_server
"$bin" user create --data-dir "$data" ${DB:+--db "$DB"} --email $ADMIN --password $PASSWORD --role admin
start_server 2 "$OUT/server.log"

lt=("$bin" loadtest --api http://$ADDR --eth-rpc http://$RPC --admin-email $ADMIN --admin-password $PASSWORD
  --state "$WORK/state.json" --vendors "$VENDORS" --chain-limit-mgas "$CHAIN_LIMIT_MGAS")
"${lt[@]}" --beneficiaries "$BENEFICIARIES" --setup-only | tee "$OUT/setup.txt"

baseline=()
[ "$BASELINE" = 1 ] && baseline=(--baseline-key "$data/keys/lane-2")
for i in $(seq 1 "$CLOSED"); do
  "${lt[@]}" --skip-setup --duration "$DURATION" "${baseline[@]}" \
    --save "$OUT/closed-$i.json" --chart "$OUT/closed-$i.png" | tee "$OUT/closed-$i.txt"
done
for rate in $RATES; do
  for i in $(seq 1 "$RUNS"); do
    "${lt[@]}" --skip-setup --duration "$DURATION" --rate "$rate" \
      --save "$OUT/rate$rate-$i.json" --chart "$OUT/rate$rate-$i.png" | tee "$OUT/rate$rate-$i.txt"
  done
done
# The server's own counters over the whole benchmark (acceptance stages, group sizes, groups run
# again after a failed transaction).
curl -sf http://$ADDR/metrics | grep '^aidledger_redemption_acceptance' >"$OUT/metrics.txt" || true
stop_server
echo "results in $OUT"
