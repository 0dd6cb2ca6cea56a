#!/usr/bin/env bash
# Load benchmarks on loopback only: the login page, valid sign-ins (rotating over many accounts),
# and the management home while sign-ins saturate the hashing pool. Needs wrk and a release
# build (`cargo build --release`). Usage: bench/run.sh [DATABASE_URL]   (default: a fresh SQLite)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${FRONTDESK_BIN:-target/release/frontdesk}
DUR=${BENCH_SECONDS:-20}
ACCOUNTS=${BENCH_ACCOUNTS:-100}
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

export FRONTDESK_DATABASE_URL=${1:-sqlite://$work/bench.db}
export FRONTDESK_ADMIN_EMAIL=admin@example.com FRONTDESK_ADMIN_PASSWORD=Bench-Admin-Pw1 FRONTDESK_LOG=warn
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port

# The first start creates the default portal and the administrator.
FRONTDESK_BIND=127.0.0.1:$port $BIN serve >/dev/null & server=$!
for _ in $(seq 50); do curl -sf $base/healthz >/dev/null && break; sleep 0.1; done

echo "creating $ACCOUNTS customer accounts..."
for i in $(seq 0 $((ACCOUNTS - 1))); do
  echo "Bench-Passw0rd-1" | $BIN user add --portal default --role customer --email "bench$i@example.com" >/dev/null
done

# A signed-in administrator for the management home.
jar=$work/jar
curl -s -c $jar -b $jar $base/manage/login >/dev/null
csrf=$(awk '$6=="fd_csrf"{print $7}' $jar)
curl -s -c $jar -b $jar -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "email=admin@example.com" \
  --data-urlencode "password=Bench-Admin-Pw1" $base/manage/login
export BENCH_SESSION=$(awk '$6=="fd_manage"{print $7}' $jar)
[ -n "$BENCH_SESSION" ] || { echo "could not sign in as the administrator" >&2; exit 1; }
curl -sf -b "fd_manage=$BENCH_SESSION" $base/manage | grep -q "Help desk" || { echo "management home did not render" >&2; exit 1; }

# The baseline: a bare axum page, same runtime, same wrk settings; figures are read as ratios to it.
bare_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
target/release/examples/bare_axum 127.0.0.1:$bare_port & bare=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:$bare_port/login >/dev/null && break; sleep 0.1; done
echo; echo "== baseline: bare axum GET /login (${DUR}s, 2 threads, 64 connections)"
wrk -t2 -c64 -d${DUR}s --latency http://127.0.0.1:$bare_port/login
kill $bare

echo; echo "== GET /login (${DUR}s, 2 threads, 64 connections)"
wrk -t2 -c64 -d${DUR}s --latency $base/login

echo; echo "== POST valid sign-ins, $ACCOUNTS accounts (${DUR}s, 2 threads, 32 connections)"
BENCH_ACCOUNTS=$ACCOUNTS wrk -t2 -c32 -d${DUR}s --latency -s bench/signin.lua $base

echo; echo "== GET /manage alone (${DUR}s, 1 thread, 8 connections)"
wrk -t1 -c8 -d${DUR}s --latency -s bench/manage_home.lua $base

echo; echo "== GET /manage while sign-ins saturate the hashing pool (${DUR}s)"
BENCH_ACCOUNTS=$ACCOUNTS wrk -t1 -c32 -d$((DUR + 4))s -s bench/signin.lua $base > $work/bg.txt &
bg=$!
sleep 2
wrk -t1 -c8 -d${DUR}s --latency -s bench/manage_home.lua $base
wait $bg
echo "-- sign-ins during that run:"; grep -E "Requests/sec|Non-2xx" $work/bg.txt
