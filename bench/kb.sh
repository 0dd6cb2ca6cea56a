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
source bench/lib.sh
trap bench_cleanup EXIT

export FRONTDESK_DATABASE_URL=${1:-sqlite://$work/bench.db}
export FRONTDESK_LOG=warn
if [ -n "${BENCH_REUSE:-}" ]; then
  echo "using the desk already seeded in $FRONTDESK_DATABASE_URL" >&2
else
  echo "seeding $TICKETS tickets and $ARTICLES articles..." >&2
  $BIN seed --tickets "$TICKETS" --articles "$ARTICLES" >&2
fi

start_server

acme=$(sql "SELECT id FROM portals WHERE slug = 'acme'")
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

measure_bare

engine=${FRONTDESK_DATABASE_URL%%:*}
table_head "scenario ($engine, $ARTICLES articles, wrk -t1 -c8, ${DUR}s)"
row "reference: the portal's home (no statement)" "" /portal/acme/
row "reference: \`/healthz\` (one \`SELECT 1\`, no page)" "" /healthz
row "visitor: knowledge-base home" "" /portal/acme/kb
row "visitor: category of $listed articles, page 1 (50 listed)" "" /portal/acme/kb/categories/$category
row "visitor: same category, page 2" "" "/portal/acme/kb/categories/$category?page=2"
row "visitor: article #$article" "" /portal/acme/kb/articles/$article
row "customer: knowledge-base home" "$customer" /portal/acme/kb
row "customer: category, page 1" "$customer" /portal/acme/kb/categories/$category
row "customer: article #$article" "$customer" /portal/acme/kb/articles/$article
