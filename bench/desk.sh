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
# BENCH_SECONDS per scenario (10), BENCH_SUBMITTERS customers signed in for submissions (900; each may open 30 tickets an hour).
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

echo "seeding $TICKETS tickets and $CUSTOMERS customers..." >&2
start=$(date +%s.%N)
$BIN seed --tickets "$TICKETS" --customers "$CUSTOMERS" >&2
seed_secs=$(python3 -c "import time; print(round(time.time() - $start, 1))")

port=$(free_port); base=http://127.0.0.1:$port
FRONTDESK_BIND=127.0.0.1:$port $BIN serve >/dev/null 2>&1 & server=$!
for _ in $(seq 100); do curl -sf $base/healthz >/dev/null && break; sleep 0.1; done

acme=$(sql "SELECT id FROM portals WHERE slug = 'acme'")
department=$(sql "SELECT id FROM departments WHERE portal_id = $acme ORDER BY id LIMIT 1")
# Sign-ins with a fixed CSRF value in cookie and form; prints the session cookie as name=value.
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
[ -n "$admin" ] && [ -n "$agent" ] || { echo "cannot sign in the seeded staff" >&2; exit 1; }
echo "signing in $SUBMITTERS customers..." >&2
: > $work/sessions
for i in $(seq 0 $((SUBMITTERS - 1))); do portal_session "customer$i@acme.example" >> $work/sessions; done
customer=$(head -1 $work/sessions)
customer_id=$(sql "SELECT id FROM customers WHERE portal_id = $acme AND email_lower = 'customer0@acme.example'")
with_replies=$(sql "SELECT t.number FROM tickets t JOIN ticket_messages m ON m.portal_id = t.portal_id AND m.ticket_id = t.id \
  WHERE t.portal_id = $acme GROUP BY t.id, t.number HAVING COUNT(*) = 5 ORDER BY t.id LIMIT 1")
own=$(sql "SELECT number FROM tickets WHERE portal_id = $acme AND customer_id = $customer_id ORDER BY updated_at DESC LIMIT 1")

bare_port=$(free_port)
target/release/examples/bare_axum 127.0.0.1:$bare_port & bare=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:$bare_port/login >/dev/null && break; sleep 0.1; done

# wrk's requests/s and p99 (in ms) of one scenario.
measure() { # url cookie path [script]
  local out; out=$(BENCH_COOKIE="$2" BENCH_PATH="$3" BENCH_SESSIONS=$work/sessions BENCH_DEPARTMENT=$department \
    wrk -t1 -c8 -d${DUR}s --latency -s "${4:-bench/get.lua}" "$1")
  if grep -q "Non-2xx" <<<"$out"; then echo "$out" >&2; echo "error: non-2xx answers in $3" >&2; exit 1; fi
  local rate p99; rate=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")
  echo "$rate $p99"
}
read -r bare_rate bare_p99 < <(measure http://127.0.0.1:$bare_port "" /login)
kill $bare; bare=

engine=${FRONTDESK_DATABASE_URL%%:*}
echo "| scenario ($engine, $TICKETS tickets, wrk -t1 -c8, ${DUR}s) | requests/s | p99 ms | share of bare |"
echo "|---|---|---|---|"
printf "| bare axum page | %.0f | %.2f | 100 %% |\n" "$bare_rate" "$bare_p99"
row() { # label cookie path
  read -r rate p99 < <(measure $base "$2" "$3")
  printf "| %s | %.0f | %.2f | %.1f %% |\n" "$1" "$rate" "$p99" "$(python3 -c "print($rate * 100 / $bare_rate)")"
}
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
echo "Seeding $TICKETS tickets took ${seed_secs} s."
