#!/usr/bin/env bash
# The knowledge base's portal pages (issue 15), on loopback only. Seeds a desk with
# BENCH_ARTICLES articles (`frontdesk seed --articles`), starts a release server on it, and runs
# each page with wrk -t1 -c8 beside a bare axum page measured the same way, as bench/desk.sh
# does. Prints a Markdown table: requests/s, p99, and the rate as a share of the bare page's.
#
#   cargo build --release --bins --examples
#   bench/kb.sh                                              # fresh SQLite
#   bench/kb.sh postgres://postgres@127.0.0.1:PORT/benchkb   # an empty PostgreSQL database
#
# Env: BENCH_ARTICLES (2000: the large portal's categories then hold about 180 articles, of which
# a visitor reading English is listed about a hundred), BENCH_TICKETS (1000), BENCH_SECONDS per
# scenario (10), BENCH_REUSE=1 to measure a database seeded before.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${FRONTDESK_BIN:-target/release/frontdesk}
DUR=${BENCH_SECONDS:-10}
ARTICLES=${BENCH_ARTICLES:-2000}
TICKETS=${BENCH_TICKETS:-1000}
PASSWORD='Seed-Passw0rd!'
CSRF=benchcsrfbenchcsrfbenchcsrfbenchcsrfbenchcs
work=$(mktemp -d)
server=; bare=
trap 'kill $server $bare 2>/dev/null || true; rm -rf "$work"' EXIT

export FRONTDESK_DATABASE_URL=${1:-sqlite://$work/bench.db}
export FRONTDESK_LOG=warn
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# One value from the database, either engine.
sql() {
  case $FRONTDESK_DATABASE_URL in
    sqlite://*) python3 -c 'import sqlite3,sys; r=sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print(r[0] if r else "")' \
                  "${FRONTDESK_DATABASE_URL#sqlite://}" "$1" ;;
    *) psql "$FRONTDESK_DATABASE_URL" -Atc "$1" ;;
  esac
}

if [ -n "${BENCH_REUSE:-}" ]; then
  echo "using the desk already seeded in $FRONTDESK_DATABASE_URL" >&2
else
  echo "seeding $TICKETS tickets and $ARTICLES articles..." >&2
  $BIN seed --tickets "$TICKETS" --articles "$ARTICLES" >&2
fi

port=$(free_port); base=http://127.0.0.1:$port
FRONTDESK_BIND=127.0.0.1:$port $BIN serve >/dev/null 2>&1 & server=$!
for _ in $(seq 100); do curl -sf $base/healthz >/dev/null && break; sleep 0.1; done

acme=$(sql "SELECT id FROM portals WHERE slug = 'acme'")
portal_session() {
  curl -s -D - -o /dev/null -b "fd_csrf=$CSRF" --data-urlencode "csrf=$CSRF" --data-urlencode "email=$1" \
    --data-urlencode "password=$PASSWORD" $base/portal/acme/login | tr -d '\r' | sed -n "s/^[Ss]et-[Cc]ookie: \(fd_portal_$acme=[^;]*\).*/\1/p"
}
customer=$(portal_session customer1@acme.example)
[ -n "$customer" ] || { echo "cannot sign in the seeded customer" >&2; exit 1; }

# The category a visitor sees closest to a hundred articles in (the home page says how many),
# and a public English article with a Portuguese translation and related articles.
read -r category listed < <(curl -sf $base/portal/acme/kb | python3 -c '
import re, sys
page = sys.stdin.read()
cards = re.findall(r"/kb/categories/(\d+)\".*?kb-count\">(\d+) articles", page, re.S)
best = min(cards, key=lambda c: abs(int(c[1]) - 100))
print(best[0], best[1])')
article=$(sql "SELECT o.id FROM kb_articles o JOIN kb_articles t ON t.portal_id = o.portal_id AND t.translation_of = o.id \
  WHERE o.portal_id = $acme AND o.visibility = 'public' AND o.language = 'en' ORDER BY o.id LIMIT 1")
curl -sf $base/portal/acme/kb/articles/$article | grep -q 'id="kb-related"' || { echo "article $article has no related list" >&2; exit 1; }

bare_port=$(free_port)
target/release/examples/bare_axum 127.0.0.1:$bare_port & bare=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:$bare_port/login >/dev/null && break; sleep 0.1; done

# wrk's requests/s and p99 (in ms) of one scenario.
measure() { # url cookie path
  local out; out=$(BENCH_COOKIE="$2" BENCH_PATH="$3" wrk -t1 -c8 -d${DUR}s --latency -s bench/get.lua "$1")
  if grep -q "Non-2xx\|Socket errors" <<<"$out"; then echo "$out" >&2; echo "error: failed answers from $3" >&2; exit 1; fi
  local rate p99; rate=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")
  echo "$rate $p99"
}
read -r bare_rate bare_p99 < <(measure http://127.0.0.1:$bare_port "" /login)
kill $bare; bare=

engine=${FRONTDESK_DATABASE_URL%%:*}
echo "| scenario ($engine, $ARTICLES articles, wrk -t1 -c8, ${DUR}s) | requests/s | p99 ms | share of bare |"
echo "|---|---|---|---|"
printf "| bare axum page | %.0f | %.2f | 100 %% |\n" "$bare_rate" "$bare_p99"
row() { # label cookie path
  read -r rate p99 < <(measure $base "$2" "$3")
  printf "| %s | %.0f | %.2f | %.1f %% |\n" "$1" "$rate" "$p99" "$(python3 -c "print($rate * 100 / $bare_rate)")"
}
row "reference: the portal's home (no statement)" "" /portal/acme/
row "reference: \`/healthz\` (one \`SELECT 1\`, no page)" "" /healthz
row "visitor: knowledge-base home" "" /portal/acme/kb
row "visitor: category of $listed articles, page 1 (50 listed)" "" /portal/acme/kb/categories/$category
row "visitor: same category, page 2" "" "/portal/acme/kb/categories/$category?page=2"
row "visitor: article #$article" "" /portal/acme/kb/articles/$article
row "customer: knowledge-base home" "$customer" /portal/acme/kb
row "customer: category, page 1" "$customer" /portal/acme/kb/categories/$category
row "customer: article #$article" "$customer" /portal/acme/kb/articles/$article
