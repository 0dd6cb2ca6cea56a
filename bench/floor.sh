#!/usr/bin/env bash
# What the fixed stack (axum + sqlx's Any driver) allows before any Frontdesk code runs: the
# `stack_floor` example's endpoints beside the bare axum page, with the same wrk -t1 -c8 as
# bench/desk.sh, on a desk seeded by `frontdesk seed`. Loopback only.
#
#   cargo build --release --bins --examples
#   bench/floor.sh                                            # a fresh SQLite desk of 20,000 tickets
#   bench/floor.sh postgres://postgres@127.0.0.1:PORT/bench   # an empty PostgreSQL database, seeded here
#
# Env: BENCH_SECONDS per endpoint (10), BENCH_REUSE=1 to use a database seeded before.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${BENCH_SECONDS:-10}
work=$(mktemp -d)
floor=; bare=
trap 'kill $floor $bare 2>/dev/null || true; rm -rf "$work"' EXIT
url=${1:-sqlite://$work/bench.db}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
[ -n "${BENCH_REUSE:-}" ] || FRONTDESK_DATABASE_URL=$url FRONTDESK_LOG=warn target/release/frontdesk seed >/dev/null
bare_port=$(free_port); floor_port=$(free_port)
target/release/examples/bare_axum 127.0.0.1:$bare_port >/dev/null 2>&1 & bare=$!
target/release/examples/stack_floor 127.0.0.1:$floor_port "$url" >/dev/null 2>&1 & floor=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:$floor_port/one >/dev/null && break; sleep 0.1; done

measure() { # url path [script]
  local out; out=$(BENCH_PATH="$2" wrk -t1 -c8 -d${DUR}s --latency -s "${3:-bench/get.lua}" "$1")
  if grep -q "Non-2xx\|Socket errors" <<<"$out"; then echo "$out" >&2; echo "error: failed answers from $2" >&2; exit 1; fi
  local rate p99; rate=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")
  echo "$rate $p99"
}
read -r bare_rate bare_p99 < <(measure http://127.0.0.1:$bare_port /login)
engine=${url%%:*}
echo "| stack floor ($engine, wrk -t1 -c8, ${DUR}s) | requests/s | p99 ms | share of bare |"
echo "|---|---|---|---|"
printf "| bare axum page | %.0f | %.2f | 100 %% |\n" "$bare_rate" "$bare_p99"
row() { # label path [script]
  read -r rate p99 < <(measure http://127.0.0.1:$floor_port "$2" "${3:-}")
  printf "| %s | %.0f | %.2f | %.1f %% |\n" "$1" "$rate" "$p99" "$(python3 -c "print($rate * 100 / $bare_rate)")"
}
row "one \`SELECT 1\`" /one
row "50 queue rows, one statement, decoded" /rows
[ "$engine" = sqlite ] && row "the same without the \`Any\` layer (sqlx's SQLite driver)" /rows-native
row "a queue page's least statements (6), decoded" /page
row "a ticket, its message and history in one transaction" /submit bench/post.lua
