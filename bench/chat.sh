#!/usr/bin/env bash
# The chat benchmark (issue 16), on loopback only: seeds a small desk, creates BENCH_CHATS active
# chats between one customer and one agent (SQL: signing in thousands of people would measure
# the password hash, not the chat), starts one release server (or two on PostgreSQL, customers'
# sockets on the first and agents' on the second), and runs the load client
# `examples/chat_load.rs`: 2 sockets per chat, messages at BENCH_RATE per second in total,
# round trips send -> ack and send -> the agent's socket, the servers' memory per connection.
#
#   cargo build --release --bins --examples   # elsewhere: FRONTDESK_BIN=DIR/release/frontdesk
#   bench/chat.sh                                                 # fresh SQLite, one node
#   bench/chat.sh postgres://postgres@127.0.0.1:PORT/bench        # an empty PostgreSQL database
#   BENCH_NODES=2 bench/chat.sh postgres://postgres@127.0.0.1:PORT/bench2
#
# Env: BENCH_CHATS (5000: 10,000 connections), BENCH_RATE (1000 messages/s), BENCH_SECONDS (30),
# BENCH_WARMUP (seconds before measuring: by default two rounds, in each of which every chat
# sends once, 12 s at 5,000 chats and 1,000/s: the seconds after 10,000 sockets open at once are
# not the steady load, and one round left their tail in the measured window; 6 s measures from
# the second round, 3 s the first round's start too), BENCH_NODES (1 or 2), BENCH_DRAIN (3: seconds
# answers are awaited after the last send), FRONTDESK_BIN, CHAT_LOAD_BIN, BENCH_SERVER_LOG (a file
# for the servers' log: messages that took 100 ms or more to store are logged there, with the
# share of the session check).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${FRONTDESK_BIN:-target/release/frontdesk}
LOAD=${CHAT_LOAD_BIN:-$(dirname "$BIN")/examples/chat_load}
CHATS=${BENCH_CHATS:-5000}
RATE=${BENCH_RATE:-1000}
DUR=${BENCH_SECONDS:-30}
NODES=${BENCH_NODES:-1}
PASSWORD='Seed-Passw0rd!'
CSRF=benchcsrfbenchcsrfbenchcsrfbenchcsrfbenchcs
work=$(mktemp -d)
source bench/lib.sh
second=
trap 'kill $second 2>/dev/null || true; bench_cleanup' EXIT

# Every socket is a file descriptor on both sides (the server and the client inherit this).
need=$(( CHATS * 2 + 1000 ))
[ "$(ulimit -n)" -ge "$need" ] || ulimit -n "$(( need > $(ulimit -Hn) ? $(ulimit -Hn) : need ))"
[ "$(ulimit -n)" -ge "$need" ] || { echo "ulimit -n is $(ulimit -n), $need needed" >&2; exit 1; }

export FRONTDESK_DATABASE_URL=${1:-sqlite://$work/bench.db}
export FRONTDESK_LOG=warn
engine=${FRONTDESK_DATABASE_URL%%:*}
[ "$NODES" = 1 ] || [ "$engine" = postgres ] || { echo "two nodes need PostgreSQL" >&2; exit 1; }

# A statement that writes, either engine.
sql_exec() {
  case $FRONTDESK_DATABASE_URL in
    sqlite://*) python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()' \
                  "${FRONTDESK_DATABASE_URL#sqlite://}" "$1" ;;
    *) psql "$FRONTDESK_DATABASE_URL" -qAtc "$1" ;;
  esac
}

echo "seeding a small desk..." >&2
$BIN seed --tickets 200 --customers 20 --articles 20 >&2
start_server
customer_base=$base; customer_pid=$server
agent_base=$base; agent_pid=$server
if [ "$NODES" = 2 ]; then
  port=$(free_port); agent_base=http://127.0.0.1:$port
  FRONTDESK_BIND=127.0.0.1:$port $BIN serve >/dev/null 2>&1 & second=$!; agent_pid=$second
  for _ in $(seq 100); do curl -sf $agent_base/healthz >/dev/null && break; sleep 0.1; done
fi

acme=$(sql "SELECT id FROM portals WHERE slug = 'acme'")
department=$(sql "SELECT id FROM departments WHERE portal_id = $acme ORDER BY id LIMIT 1")
staff=$(sql "SELECT id FROM staff WHERE email_lower = 'agent1@acme.seed.test'")
customer=$(sql "SELECT id FROM customers WHERE portal_id = $acme AND email_lower = 'customer1@acme.example'")
now=$(date +%s)
sql_exec "INSERT INTO staff_permissions (staff_id, portal_id, permission) VALUES ($staff, $acme, 'answer_chats') ON CONFLICT DO NOTHING"
# Signed in before the chats exist: an agent without a session is signed off, their chats requeued.
base=$customer_base; customer_cookie=$(portal_session customer1@acme.example)
base=$agent_base; agent_cookie=$(manage_session agent1@acme.seed.test)
[ -n "$customer_cookie" ] && [ -n "$agent_cookie" ] || { echo "cannot sign in the seeded people" >&2; exit 1; }
# Present for the whole run: the sweeper must not send the chats back to the queue.
sql_exec "INSERT INTO agent_presence (portal_id, staff_id, channel, state, capacity, idle_since, lease_until, updated_at) \
  VALUES ($acme, $staff, 'chat', 'away', 3, $now, $(( now + 86400 )), $now) ON CONFLICT DO NOTHING"
sql_exec "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CHATS) \
  INSERT INTO chats (portal_id, department_id, customer_id, requester_name, requester_email, language, origin, state, \
  agent_id, queued_at, created_at, accepted_at) SELECT $acme, $department, $customer, 'Load test', \
  'customer1@acme.example', 'en', 'portal', 'active', $staff, $now, $now, $now FROM n"
first=$(sql "SELECT MIN(id) FROM chats WHERE requester_name = 'Load test'")
last=$(sql "SELECT MAX(id) FROM chats WHERE requester_name = 'Load test'")
[ $(( last - first + 1 )) = "$CHATS" ] || { echo "chat ids are not contiguous" >&2; exit 1; }


# The bare axum page (wrk -t1 -c8, 10 s), the reference every benchmark here prints.
if [ -x "$(dirname "$BIN")/examples/bare_axum" ] && [ -z "${BENCH_NO_BARE:-}" ]; then
  DUR=10 BARE_BIN=$(dirname "$BIN")/examples/bare_axum measure_bare
  printf "bare axum page: %.0f requests/s, p99 %.2f ms\n" "$bare_rate" "$bare_p99"
fi
echo "$engine, $NODES node(s), $CHATS chats ($(( CHATS * 2 )) sockets), $RATE messages/s for ${DUR}s, ulimit -n $(ulimit -n)" >&2
$LOAD customer_base=$customer_base agent_base=$agent_base slug=acme customer_cookie="$customer_cookie" \
  agent_cookie="$agent_cookie" first_chat=$first chats=$CHATS rate=$RATE seconds=$DUR \
  customer_pid=$customer_pid agent_pid=$agent_pid drain=${BENCH_DRAIN:-3} \
  warmup=${BENCH_WARMUP:-$(( 2 * (CHATS / RATE + 1) ))}
stored=$(sql "SELECT COUNT(*) FROM chat_messages WHERE portal_id = $acme AND chat_id BETWEEN $first AND $last")
echo "messages stored: $stored"
echo "server CPU (user+system jiffies): $(awk '{print $14 + $15}' /proc/$customer_pid/stat)" \
  "$([ "$NODES" = 2 ] && awk '{print $14 + $15}' /proc/$agent_pid/stat)"
