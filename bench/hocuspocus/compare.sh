#!/usr/bin/env bash
# Fan-out on one core, Tabula beside Hocuspocus 4.7 (issue 17): for each writers' rate R,
# RUNS runs of each server, interleaved (Tabula, Hocuspocus, Tabula, Hocuspocus, …),
# each on a fresh server pinned to CPU SERVER_CPU while the load tool runs pinned to
# TOOL_CPU. One load tool measures both, so clients, writers, rate, window, latency and
# the in-order check are the same. Prints one table row per run; the JSON of every run
# stays in OUT.
#
#   bench/hocuspocus/compare.sh                       (1,000 clients, R = 10 20 30 50)
#   RATES="10" RUNS=1 CLIENTS=50 DURATION=3s bench/hocuspocus/compare.sh   (a smoke)
#
# Settings (environment): SERVERS (default "tabula hocuspocus"; "floor" adds bench/floor,
# the protocol and fan-out with nothing else), RATES, RUNS, CLIENTS, WRITERS, DURATION, WARMUP, SERVER_CPU,
# TOOL_CPU, TABULA_GOMAXPROCS; TABULA=path of the Tabula server binary to measure (default:
# built from this tree; the load tool always is), TABULA_ARGS=extra load tool flags for
# the Tabula runs (default -ops move: one ~110-byte move per batch, as the peer's ~100-byte
# Yjs updates), FLOOR_ARGS=flags of bench/floor (-tick, -split), OUT=directory for the
# JSON and logs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
RATES=${RATES:-10 20 30 50}
RUNS=${RUNS:-2}
CLIENTS=${CLIENTS:-1000}
WRITERS=${WRITERS:-10}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-5s}
SERVER_CPU=${SERVER_CPU:-0}
TOOL_CPU=${TOOL_CPU:-1}
TABULA_GOMAXPROCS=${TABULA_GOMAXPROCS:-2}
TABULA_ARGS=${TABULA_ARGS:--ops move}
# The limits a load test must lift; an older Tabula without these flags: TABULA_SERVER_ARGS=" ".
TABULA_SERVER_ARGS=${TABULA_SERVER_ARGS:--max-sockets-per-ip 100000 -op-rate 0 -addr-op-rate 0 -board-rate 0}
SERVERS=${SERVERS:-tabula hocuspocus}
OUT=${OUT:-$(mktemp -d /tmp/compare.XXXXXX)}
TABULA_PORT=${TABULA_PORT:-8099}
ADMIN_PORT=${ADMIN_PORT:-8098}
HP_PORT=${HP_PORT:-8097}
FLOOR_PORT=${FLOOR_PORT:-8096}
FLOOR_ARGS=${FLOOR_ARGS:-}
mkdir -p "$OUT"

if [ ! -d "$here/node_modules/@hocuspocus/server" ]; then
	(cd "$here" && npm ci --no-audit --no-fund)
fi
load="$OUT/tabula-load"
(cd "$root" && go build -o "$load" .)
tabula=${TABULA:-$load}
floor="$OUT/floor"
(cd "$root" && go build -o "$floor" ./bench/floor)

server_pid=
stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=
	fi
}
trap stop_server EXIT

# wait_for CMD…: until CMD succeeds, for at most 30 s.
wait_for() {
	for _ in $(seq 300); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	echo "compare: gave up waiting for: $*" >&2
	return 1
}

common=(-clients "$CLIENTS" -boards 1 -writers "$WRITERS" -cursor-hz 0 -warmup "$WARMUP" -duration "$DURATION")

run_tabula() { # rate run
	local dir="$OUT/tabula-data-$1-$2"
	rm -rf "$dir"
	# shellcheck disable=SC2086 # TABULA_SERVER_ARGS is a list of flags
	GOMAXPROCS=$TABULA_GOMAXPROCS taskset -c "$SERVER_CPU" "$tabula" -addr "127.0.0.1:$TABULA_PORT" \
		-admin-addr "127.0.0.1:$ADMIN_PORT" -data "$dir/t.db" -voice off -access-log off -log-level warn \
		$TABULA_SERVER_ARGS >"$OUT/tabula-$1-$2.log" 2>&1 &
	server_pid=$!
	wait_for curl -sf "http://127.0.0.1:$ADMIN_PORT/debug/stats"
	# shellcheck disable=SC2086 # TABULA_ARGS is a list of flags
	taskset -c "$TOOL_CPU" "$load" loadtest -url "http://127.0.0.1:$TABULA_PORT" -admin "http://127.0.0.1:$ADMIN_PORT" \
		"${common[@]}" -rate "$1" -json "$OUT/tabula-$1-$2.json" $TABULA_ARGS >"$OUT/tabula-$1-$2.txt" 2>&1 || true
	stop_server
	row tabula "$1" "$OUT/tabula-$1-$2.json"
}

# The floor (internal/floor): Tabula's protocol and fan-out with nothing else — no
# checks, no storage — what this machine costs any server's fan-out. Same GOMAXPROCS
# and load tool flags as Tabula.
run_floor() { # rate run
	# shellcheck disable=SC2086 # FLOOR_ARGS is a list of flags
	GOMAXPROCS=$TABULA_GOMAXPROCS taskset -c "$SERVER_CPU" "$floor" -addr "127.0.0.1:$FLOOR_PORT" $FLOOR_ARGS >"$OUT/floor-$1-$2.log" 2>&1 &
	server_pid=$!
	wait_for grep -q listening "$OUT/floor-$1-$2.log"
	# shellcheck disable=SC2086 # TABULA_ARGS is a list of flags
	taskset -c "$TOOL_CPU" "$load" loadtest -url "http://127.0.0.1:$FLOOR_PORT" -admin "" -server-pid "$server_pid" \
		"${common[@]}" -rate "$1" -json "$OUT/floor-$1-$2.json" $TABULA_ARGS >"$OUT/floor-$1-$2.txt" 2>&1 || true
	stop_server
	row floor "$1" "$OUT/floor-$1-$2.json"
}

run_hocuspocus() { # rate run
	taskset -c "$SERVER_CPU" node "$here/server.mjs" "$HP_PORT" >"$OUT/hocuspocus-$1-$2.log" 2>&1 &
	server_pid=$!
	wait_for grep -q listening "$OUT/hocuspocus-$1-$2.log"
	taskset -c "$TOOL_CPU" "$load" loadtest -peer hocuspocus -url "ws://127.0.0.1:$HP_PORT/room" -server-pid "$server_pid" \
		"${common[@]}" -rate "$1" -json "$OUT/hocuspocus-$1-$2.json" >"$OUT/hocuspocus-$1-$2.txt" 2>&1 || true
	stop_server
	row hocuspocus "$1" "$OUT/hocuspocus-$1-$2.json"
}

# row SERVER RATE JSON prints one table row from the load tool's JSON.
row() {
	if [ ! -s "$3" ]; then
		echo "| $1 | $2 | (no result: see ${3%.json}.txt) |||||||||"
		return
	fi
	jq -r --arg s "$1" --arg t "$(date -u +%H:%M)" 'def r2: . * 100 | round / 100; .runs[0] as $r | $r.consistency as $k |
		"| \($t) | \($s) | \($r.config.rate) | \($r.deliveries.per_second | round) | \($r.delivery_latency.p50_ms | r2) | \($r.delivery_latency.p99_ms | r2) | \($r.delivery_latency.p999_ms | r2) | \($r.ack_latency.p99_ms | r2) | \($r.server.cpu_cores_avg // "-") | \(($r.server.rss_peak_bytes // 0) / 1048576 | round) | \($r.tool_cpu_cores) | \($r.machine_cpu_cores) | " +
		(if $k.seq_gaps + $k.seq_repeats + $k.incomplete_clients + $r.errors.total + $r.drops.total == 0 then "ok"
		 else "gaps \($k.seq_gaps), repeats \($k.seq_repeats), incomplete \($k.incomplete_clients), errors \($r.errors.total), drops \($r.drops.total)" end) + " |"' "$3"
}

echo "$CLIENTS clients, 1 room, $WRITERS writers, ${DURATION} measured after ${WARMUP}; servers on CPU $SERVER_CPU, load tool on CPU $TOOL_CPU; results in $OUT"
echo
echo "| time (UTC) | server | R | deliveries/s | p50 ms | p99 ms | p99.9 ms | ack p99 ms | server cores | server RSS MiB | tool cores | machine cores | check |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for rate in $RATES; do
	for run in $(seq "$RUNS"); do
		for server in $SERVERS; do
			"run_$server" "$rate" "$run"
		done
	done
done
