#!/usr/bin/env bash
# The desk's benchmarks (issue 14), on loopback only. Seeds a desk of BENCH_TICKETS tickets with
# `frontdesk seed`, starts a release server on it, and runs each scenario with wrk -t1 -c8 (the
# server and wrk share this machine's cores), beside a bare axum page measured the same way.
# Prints a Markdown table: requests/s, p99, and the rate as a share of the bare page's.
#
#   cargo build --release --bins --examples
#   bench/desk.sh                                              # fresh SQLite, 20,000 tickets
#   BENCH_TICKETS=1000000 bench/desk.sh                        # a million
#   bench/desk.sh postgres://postgres@127.0.0.1:PORT/bench     # an empty PostgreSQL database
#
# Env: BENCH_TICKETS (20000), BENCH_CUSTOMERS (1000, scaled with tickets by `seed`),
# BENCH_SECONDS per scenario (10), BENCH_REUSE=1 to measure a desk seeded before (a copy: the
# submissions add tickets), BENCH_SUBMITTERS customers signed in for submissions (900; each may open 30 tickets an hour).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${FRONTDESK_BIN:-target/release/frontdesk}
DUR=${BENCH_SECONDS:-10}
TICKETS=${BENCH_TICKETS:-20000}
CUSTOMERS=${BENCH_CUSTOMERS:-$(( TICKETS / 20 > 1000 ? TICKETS / 20 : 1000 ))}
SUBMITTERS=${BENCH_SUBMITTERS:-900}
PASSWORD='Seed-Passw0rd!'
CSRF=benchcsrfbenchcsrfbenchcsrfbenchcsrfbenchcs
work=$(mktemp -d)
source bench/lib.sh
trap bench_cleanup EXIT

export FRONTDESK_DATABASE_URL=${1:-sqlite://$work/bench.db}
export FRONTDESK_LOG=warn
start=$(date +%s.%N)
if [ -n "${BENCH_REUSE:-}" ]; then
  echo "using the desk already seeded in $FRONTDESK_DATABASE_URL" >&2
else
  echo "seeding $TICKETS tickets and $CUSTOMERS customers..." >&2
  $BIN seed --tickets "$TICKETS" --customers "$CUSTOMERS" >&2
fi
seed_secs=$(elapsed "$start")
start_server

acme=$(sql "SELECT id FROM portals WHERE slug = 'acme'")
department=$(sql "SELECT id FROM departments WHERE portal_id = $acme ORDER BY id LIMIT 1")
admin=$(manage_session admin@seed.test)
agent=$(manage_session agent1@acme.seed.test)
[ -n "$admin" ] && [ -n "$agent" ] || { echo "cannot sign in the seeded staff" >&2; exit 1; }
echo "signing in $SUBMITTERS customers..." >&2
: > $work/sessions
for i in $(seq 1 "$SUBMITTERS"); do portal_session "customer$i@acme.example" >> $work/sessions; done
customer=$(head -1 $work/sessions)
customer_id=$(sql "SELECT id FROM customers WHERE portal_id = $acme AND email_lower = 'customer1@acme.example'")
with_replies=$(sql "SELECT t.number FROM tickets t JOIN ticket_messages m ON m.portal_id = t.portal_id AND m.ticket_id = t.id \
  WHERE t.portal_id = $acme GROUP BY t.id, t.number HAVING COUNT(*) = 5 ORDER BY t.id LIMIT 1")
own=$(sql "SELECT number FROM tickets WHERE portal_id = $acme AND customer_id = $customer_id ORDER BY updated_at DESC LIMIT 1")

export BENCH_SESSIONS=$work/sessions BENCH_DEPARTMENT=$department
measure_bare

engine=${FRONTDESK_DATABASE_URL%%:*}
table_head "scenario ($engine, $TICKETS tickets, wrk -t1 -c8, ${DUR}s)"
row "common sign-in page \`/login\`" "" /login
row "agent's dashboard \`/manage\`" "$agent" /manage
row "queue, 50 tickets, unfiltered" "$admin" "/manage/tickets?queue=all"
row "queue, two filters (status, priority)" "$admin" "/manage/tickets?queue=all&status=open&priority=high"
row "ticket with 5 messages (#$with_replies)" "$admin" "/manage/tickets/$with_replies"
row "portal: my tickets" "$customer" /portal/acme/tickets
row "portal: a ticket (#$own)" "$customer" "/portal/acme/tickets/$own"
before=$(sql "SELECT COUNT(*) FROM tickets")
read -r rate p99 < <(measure $base "" /portal/acme/tickets/new bench/submit.lua)
after=$(sql "SELECT COUNT(*) FROM tickets")
created=$(python3 -c "print(round(($after - $before) / $DUR))")
printf "| ticket submissions (tickets created/s: **%s**) | %.0f | %.2f | %.1f %% |\n" "$created" "$rate" "$p99" "$(python3 -c "print($rate * 100 / $bare_rate)")"
echo
[ -n "${BENCH_REUSE:-}" ] || echo "Seeding $TICKETS tickets took ${seed_secs} s."
