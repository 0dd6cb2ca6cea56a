#!/usr/bin/env bash
# Search benchmarks (issue 15), on loopback only. Seeds BENCH_TICKETS tickets with `frontdesk
# seed` and BENCH_ARTICLES knowledge-base articles with bench/search_articles.py (both indexed by
# migration 0019's triggers / generated columns as they are written, so the seeding times below
# include indexing), starts a release server, and runs each search with wrk -t1 -c8 beside a
# bare axum page measured the same way. Prints a Markdown table: requests/s, p99, share of bare.
# Then article searches never asked before at fixed rates (examples/search_load.rs, open loop:
# latency counted from when each request was due), a fresh server for each rate.
#
#   cargo build --release --bin frontdesk --example bare_axum --example search_load
#   bench/search.sh                                            # fresh SQLite
#   BENCH_TICKETS=1000000 bench/search.sh postgres://postgres@127.0.0.1:PORT/bench
#
# Env: BENCH_ARTICLES (100000), BENCH_TICKETS (100000), BENCH_SECONDS per scenario (10),
# BENCH_RATES (article searches per second at fixed rates: "100 200 300 400"; empty to skip),
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
source bench/lib.sh
trap bench_cleanup EXIT

export FRONTDESK_DATABASE_URL=${1:-sqlite://$work/bench.db}
export FRONTDESK_LOG=warn
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

start_server
# The first knowledge-base page of a node reads the portal's copy (a second or two at 100,000
# articles): read before measuring, as any page would have by then.
curl -sf -o /dev/null --max-time 60 "$base/portal/acme/kb"
acme=$(sql "SELECT id FROM portals WHERE slug = 'acme'")
admin=$(manage_session admin@seed.test)
agent=$(manage_session agent1@acme.seed.test)
customer=$(portal_session customer1@acme.example)
[ -n "$admin" ] && [ -n "$agent" ] && [ -n "$customer" ] || { echo "cannot sign in the seeded people" >&2; exit 1; }
# A rare word: one ticket's reference number.
ref=$(sql "SELECT subject FROM tickets WHERE portal_id = $acme ORDER BY id DESC LIMIT 1" | sed -n 's/.*ref\. \([0-9]*\).*/\1/p')

measure_bare

engine=${FRONTDESK_DATABASE_URL%%:*}
table_head "search ($engine, $ARTICLES articles, $TICKETS tickets, wrk -t1 -c8, ${DUR}s)"
# The same words asked again and again are answered from memory after the first (src/kb/
# search_memo.rs); these are searches never asked before, each ranked by the engine.
row "articles: visitor, two words never asked before (every search ranked anew)" "" "/portal/acme/kb/search?q=" bench/search_distinct.lua
row "suggestions JSON, two words never asked before" "$customer" "/portal/acme/kb/suggest?q=" bench/search_distinct.lua
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

# A search's latency at a stated load: wrk's 8 clients above each wait for an answer before
# asking again, so once the 2 cores are busy they measure the queue. Each rate's run asks the
# same 3,000 searches (one word or its start in a tenth, two or three words in the rest), on a
# fresh server so that none is answered from an earlier run's memory.
LOAD=${SEARCH_LOAD_BIN:-$(dirname "$BIN")/examples/search_load}
if [ -n "${BENCH_RATES-100 200 300 400}" ]; then
  echo "| article searches never asked before, open loop ($engine) | p50 ms | p99 ms | p99.9 ms | server CPU per search ms |"
  echo "|---|---|---|---|---|"
  for rate in ${BENCH_RATES-100 200 300 400}; do
    kill $server; wait $server 2>/dev/null || true
    start_server
    curl -sf -o /dev/null --max-time 60 "$base/portal/acme/kb"
    out=$($LOAD base=$base path=/portal/acme/kb/search?q= rate=$rate pid=$server)
    field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$out"; }
    [ "$(field failed)" = 0 ] || { echo "$out" >&2; echo "error: failed searches at $rate/s" >&2; exit 1; }
    echo "| $rate searches/s | $(field p50_ms) | $(field p99_ms) | $(field p999_ms) | $(field server_cpu_per_request_ms) |"
  done
  echo
fi
[ -n "${BENCH_REUSE:-}" ] || echo "Seeding $TICKETS tickets (with their search index) took ${ticket_secs} s; writing $ARTICLES articles (indexed) took ${article_secs} s."
