#!/usr/bin/env bash
# Search benchmarks (issue 15), on loopback only. Seeds BENCH_TICKETS tickets with `frontdesk
# seed` and BENCH_ARTICLES knowledge-base articles with bench/search_articles.py (both indexed by
# migration 0019's triggers / generated columns as they are written, so the seeding times below
# include indexing), starts a release server, and runs each search with wrk -t1 -c8 beside a
# bare axum page measured the same way. Prints a Markdown table: requests/s, p99, share of bare.
#
#   cargo build --release --bin frontdesk --example bare_axum
#   bench/search.sh                                            # fresh SQLite
#   BENCH_TICKETS=1000000 bench/search.sh postgres://postgres@127.0.0.1:PORT/bench
#
# Env: BENCH_ARTICLES (100000), BENCH_TICKETS (100000), BENCH_SECONDS per scenario (10),
# BENCH_REUSE=1 to measure a database seeded before.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${FRONTDESK_BIN:-target/release/frontdesk}
DUR=${BENCH_SECONDS:-10}
ARTICLES=${BENCH_ARTICLES:-100000}
TICKETS=${BENCH_TICKETS:-100000}
CUSTOMERS=$(( TICKETS / 20 > 1000 ? TICKETS / 20 : 1000 ))
PASSWORD='Seed-Passw0rd!'
CSRF=benchcsrfbenchcsrfbenchcsrfbenchcsrfbenchcs
work=$(mktemp -d)
server=; bare=
trap 'kill $server $bare 2>/dev/null || true; rm -rf "$work"' EXIT

export FRONTDESK_DATABASE_URL=${1:-sqlite://$work/bench.db}
export FRONTDESK_LOG=warn
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
sql() {
  case $FRONTDESK_DATABASE_URL in
    sqlite://*) python3 -c 'import sqlite3,sys; r=sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print(r[0] if r else "")' \
                  "${FRONTDESK_DATABASE_URL#sqlite://}" "$1" ;;
    *) psql "$FRONTDESK_DATABASE_URL" -Atc "$1" ;;
  esac
}
elapsed() { python3 -c "import time; print(round(time.time() - $1, 1))"; }

ticket_secs=; article_secs=
if [ -n "${BENCH_REUSE:-}" ]; then
  echo "using the desk and articles already seeded in $FRONTDESK_DATABASE_URL" >&2
  TICKETS=$(sql "SELECT COUNT(*) FROM tickets"); ARTICLES=$(sql "SELECT COUNT(*) FROM kb_articles")
else
  start=$(date +%s.%N)
  echo "seeding $TICKETS tickets (indexed as they are written)..." >&2
  $BIN seed --tickets "$TICKETS" --customers "$CUSTOMERS" >&2
  ticket_secs=$(elapsed "$start")
  start=$(date +%s.%N)
  echo "writing $ARTICLES articles (indexed as they are written)..." >&2
  python3 bench/search_articles.py "$FRONTDESK_DATABASE_URL" acme "$ARTICLES"
  article_secs=$(elapsed "$start")
fi

port=$(free_port); base=http://127.0.0.1:$port
FRONTDESK_BIND=127.0.0.1:$port $BIN serve >/dev/null 2>&1 & server=$!
for _ in $(seq 100); do curl -sf $base/healthz >/dev/null && break; sleep 0.1; done
acme=$(sql "SELECT id FROM portals WHERE slug = 'acme'")
manage_session() {
  curl -s -D - -o /dev/null -b "fd_csrf=$CSRF" --data-urlencode "csrf=$CSRF" --data-urlencode "email=$1" \
    --data-urlencode "password=$PASSWORD" $base/manage/login | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(fd_manage=[^;]*\).*/\1/p'
}
portal_session() {
  curl -s -D - -o /dev/null -b "fd_csrf=$CSRF" --data-urlencode "csrf=$CSRF" --data-urlencode "email=$1" \
    --data-urlencode "password=$PASSWORD" $base/portal/acme/login | tr -d '\r' | sed -n "s/^[Ss]et-[Cc]ookie: \(fd_portal_$acme=[^;]*\).*/\1/p"
}
admin=$(manage_session admin@seed.test)
agent=$(manage_session agent1@acme.seed.test)
customer=$(portal_session customer1@acme.example)
[ -n "$admin" ] && [ -n "$agent" ] && [ -n "$customer" ] || { echo "cannot sign in the seeded people" >&2; exit 1; }
# A rare word: one ticket's reference number.
ref=$(sql "SELECT subject FROM tickets WHERE portal_id = $acme ORDER BY id DESC LIMIT 1" | sed -n 's/.*ref\. \([0-9]*\).*/\1/p')

bare_port=$(free_port)
target/release/examples/bare_axum 127.0.0.1:$bare_port & bare=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:$bare_port/login >/dev/null && break; sleep 0.1; done
measure() { # url cookie path
  local out; out=$(BENCH_COOKIE="$2" BENCH_PATH="$3" wrk -t1 -c8 -d${DUR}s --latency -s bench/get.lua "$1")
  if grep -q "Non-2xx" <<<"$out"; then echo "$out" >&2; echo "error: non-2xx answers in $3" >&2; exit 1; fi
  local rate p99; rate=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")
  echo "$rate $p99"
}
read -r bare_rate bare_p99 < <(measure http://127.0.0.1:$bare_port "" /login)
kill $bare; bare=

engine=${FRONTDESK_DATABASE_URL%%:*}
echo "| search ($engine, $ARTICLES articles, $TICKETS tickets, wrk -t1 -c8, ${DUR}s) | requests/s | p99 ms | share of bare |"
echo "|---|---|---|---|"
printf "| bare axum page | %.0f | %.2f | 100 %% |\n" "$bare_rate" "$bare_p99"
row() { # label cookie path
  read -r rate p99 < <(measure $base "$2" "$3")
  printf "| %s | %.0f | %.2f | %.1f %% |\n" "$1" "$rate" "$p99" "$(python3 -c "print($rate * 100 / $bare_rate)")"
}
row "articles: visitor, one common word (\`password\`, in 15 % of articles)" "" "/portal/acme/kb/search?q=password"
row "articles: visitor, two words (\`reset password\`)" "" "/portal/acme/kb/search?q=reset+password"
row "articles: customer, a stop word and a word (\`the printer\`)" "$customer" "/portal/acme/kb/search?q=the+printer"
row "articles: visitor, Portuguese (\`impressoras\`)" "" "/portal/acme/kb/search?q=impressoras"
row "articles: visitor, nothing found (\`xylophone\`)" "" "/portal/acme/kb/search?q=xylophone"
row "suggestions JSON, a word being typed (\`passw\`)" "$customer" "/portal/acme/kb/suggest?q=passw"
row "suggestions JSON, two letters (\`th\`)" "$customer" "/portal/acme/kb/suggest?q=th"
row "agent's article finder JSON (\`printer\`)" "$agent" "/manage/kb/find?q=printer"
row "tickets: agent queue, a common word (\`printer\`)" "$admin" "/manage/tickets?queue=all&status=any&q=printer"
row "tickets: agent queue, a rare word (ref. $ref)" "$admin" "/manage/tickets?queue=all&status=any&q=$ref"
row "tickets: agent queue, a note's word (\`enterprise\`) + status" "$admin" "/manage/tickets?queue=all&status=open&q=enterprise"
row "tickets: customer's own (\`printer\`)" "$customer" "/portal/acme/tickets?q=printer"
echo
[ -n "${BENCH_REUSE:-}" ] || echo "Seeding $TICKETS tickets (with their search index) took ${ticket_secs} s; writing $ARTICLES articles (indexed) took ${article_secs} s."
