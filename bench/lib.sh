# What the page benchmarks share (sourced by desk.sh, kb.sh, search.sh; loopback only). The
# caller sets FRONTDESK_DATABASE_URL, BIN, DUR, PASSWORD, CSRF and `work` (a temporary
# directory), and sets `trap bench_cleanup EXIT`.
server=; bare=; base=; bare_rate=; bare_p99=
bench_cleanup() { kill $server $bare 2>/dev/null || true; rm -rf "$work"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# One value from the database, either engine.
sql() {
  case $FRONTDESK_DATABASE_URL in
    sqlite://*) python3 -c 'import sqlite3,sys; r=sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print(r[0] if r else "")' \
                  "${FRONTDESK_DATABASE_URL#sqlite://}" "$1" ;;
    *) psql "$FRONTDESK_DATABASE_URL" -Atc "$1" ;;
  esac
}

# Seconds since a `date +%s.%N`, to a tenth.
elapsed() { python3 -c "import time; print(round(time.time() - $1, 1))"; }

# Starts the release server on the database; sets `base`.
start_server() {
  local port; port=$(free_port); base=http://127.0.0.1:$port
  FRONTDESK_BIND=127.0.0.1:$port $BIN serve >/dev/null 2>>"${BENCH_SERVER_LOG:-/dev/null}" & server=$!
  for _ in $(seq 100); do curl -sf $base/healthz >/dev/null && break; sleep 0.1; done
}

# Sign-ins with a fixed CSRF value in cookie and form; print the session cookie as name=value.
manage_session() { # email
  curl -s -D - -o /dev/null -b "fd_csrf=$CSRF" --data-urlencode "csrf=$CSRF" --data-urlencode "email=$1" \
    --data-urlencode "password=$PASSWORD" $base/manage/login | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(fd_manage=[^;]*\).*/\1/p'
}
portal_session() { # email (of a customer of the seeded portal `acme`, whose id is in $acme)
  curl -s -D - -o /dev/null -b "fd_csrf=$CSRF" --data-urlencode "csrf=$CSRF" --data-urlencode "email=$1" \
    --data-urlencode "password=$PASSWORD" $base/portal/acme/login | tr -d '\r' | sed -n "s/^[Ss]et-[Cc]ookie: \(fd_portal_$acme=[^;]*\).*/\1/p"
}

# wrk's requests/s and p99 (in ms) of one scenario. The Lua scripts read their settings from
# the environment (BENCH_SESSIONS, BENCH_DEPARTMENT where the caller exports them).
measure() { # url cookie path [script]
  local out; out=$(BENCH_COOKIE="$2" BENCH_PATH="$3" wrk -t1 -c8 -d${DUR}s --latency -s "${4:-bench/get.lua}" "$1")
  if grep -q "Non-2xx\|Socket errors" <<<"$out"; then echo "$out" >&2; echo "error: failed answers from $3" >&2; exit 1; fi
  local rate p99; rate=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")
  echo "$rate $p99"
}

# The bare axum page, measured the same way: sets bare_rate and bare_p99.
measure_bare() {
  local port; port=$(free_port)
  ${BARE_BIN:-target/release/examples/bare_axum} 127.0.0.1:$port & bare=$!
  for _ in $(seq 50); do curl -sf http://127.0.0.1:$port/login >/dev/null && break; sleep 0.1; done
  read -r bare_rate bare_p99 < <(measure http://127.0.0.1:$port "" /login)
  kill $bare; bare=
}

# The table's head and its first row, the bare page.
table_head() { # title
  echo "| $1 | requests/s | p99 ms | share of bare |"
  echo "|---|---|---|---|"
  printf "| bare axum page | %.0f | %.2f | 100 %% |\n" "$bare_rate" "$bare_p99"
}

# One row of the table: a page of the server (with a wrk script of bench/ other than get.lua).
row() { # label cookie path [script]
  read -r rate p99 < <(measure $base "$2" "$3" "${4:-}")
  printf "| %s | %.0f | %.2f | %.1f %% |\n" "$1" "$rate" "$p99" "$(python3 -c "print($rate * 100 / $bare_rate)")"
}
