#!/usr/bin/env bash
# What a balancer hop costs on this machine, under any server (issue 15): the load tool
# against the floor server (bench/floor: Tabula's protocol and fan-out with nothing else)
# reached directly, then through HAProxy configured as docs/scaling.md says, interleaved,
# at the multi-node benchmark's load (BenchmarkClusterLoad: 1,000 clients, 10 writers,
# 100k deliveries/s, nothing pinned). Prints one table row per run; the JSON stays in OUT.
#
#   bench/floor/balancer.sh                 (RUNS=3)
#
# Settings (environment): RUNS, ARGS (load tool flags), LB_MODE, LB_GLOBAL, OUT.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
RUNS=${RUNS:-3}
ARGS=${ARGS:--clients 1000 -boards 1 -writers 10 -rate 10 -cursor-hz 0 -duration 10s -warmup 2s}
OUT=${OUT:-$(mktemp -d /tmp/balancer.XXXXXX)}
FLOOR_PORT=${FLOOR_PORT:-8096}
LB_PORT=${LB_PORT:-8095}
LB_MODE=${LB_MODE:-http}     # tcp: HAProxy relays bytes without reading HTTP
LB_GLOBAL=${LB_GLOBAL:-}     # more lines for its global section, e.g. "nbthread 1"
mkdir -p "$OUT"
(cd "$root" && go build -o "$OUT/tabula" . && go build -o "$OUT/floor" ./bench/floor)

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT

# The configuration of docs/scaling.md with one server and no health check (the floor
# has no /readyz), and the tests' maxconn (HAProxy asks for two descriptors a
# connection, and a process may hold 20,000 here).
cat >"$OUT/haproxy.cfg" <<CFG
global
	maxconn 8000
$LB_GLOBAL

defaults
	mode $LB_MODE
$( [ "$LB_MODE" = http ] && printf '\toption forwardfor' )
	option redispatch
	retries 3
	timeout connect 1s
	timeout client 30s
	timeout server 30s
	timeout tunnel 1h
	timeout client-fin 5s
	timeout http-request 10s

frontend tabula
	bind 127.0.0.1:$LB_PORT
	default_backend nodes

backend nodes
	server floor 127.0.0.1:$FLOOR_PORT
CFG

"$OUT/floor" -addr "127.0.0.1:$FLOOR_PORT" >"$OUT/floor.log" 2>&1 &
floor_pid=$!
pids+=("$floor_pid")
haproxy -db -f "$OUT/haproxy.cfg" >"$OUT/haproxy.log" 2>&1 &
lb_pid=$!
pids+=("$lb_pid")
for i in $(seq 101); do
	if curl -s -o /dev/null -X POST "http://127.0.0.1:$LB_PORT/boards"; then break; fi
	if [ "$i" = 101 ] || ! kill -0 "$lb_pid" 2>/dev/null; then
		echo "balancer: HAProxy does not answer on $LB_PORT:" >&2
		cat "$OUT/haproxy.log" >&2
		exit 1
	fi
	sleep 0.1
done

# cpu PID: its user + system time so far, in clock ticks.
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

echo "| time (UTC) | path | deliveries/s | p50 ms | p99 ms | floor cores | HAProxy cores (whole run) | tool cores | check |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for run in $(seq "$RUNS"); do
	for path in direct haproxy; do
		port=$FLOOR_PORT
		if [ "$path" = haproxy ]; then port=$LB_PORT; fi
		l0=$(cpu "$lb_pid") t0=$(date +%s%N)
		# shellcheck disable=SC2086 # ARGS is a list of flags
		"$OUT/tabula" loadtest -url "http://127.0.0.1:$port" -admin "" -server-pid "$floor_pid" $ARGS \
			-json "$OUT/$path-$run.json" >"$OUT/$path-$run.txt" 2>&1 || true
		l1=$(cpu "$lb_pid") t1=$(date +%s%N)
		# HAProxy's share over the whole run of the tool, connecting included.
		lb=$(awk -v c=$((l1 - l0)) -v hz="$hz" -v ns=$((t1 - t0)) 'BEGIN { printf "%.2f", c / hz / (ns / 1e9) }')
		jq -r --arg p "$path" --arg t "$(date -u +%H:%M)" --arg lb "$lb" \
			'def r2: . * 100 | round / 100; .runs[0] as $r | $r.consistency as $k |
			"| \($t) | \($p) | \($r.deliveries.per_second | round) | \($r.delivery_latency.p50_ms | r2) | \($r.delivery_latency.p99_ms | r2) | \($r.server.cpu_cores_avg // "-") | \(if $p == "haproxy" then $lb else "-" end) | \($r.tool_cpu_cores) | " +
			(if $k.seq_gaps + $k.seq_repeats + $k.incomplete_clients + $r.errors.total + $r.drops.total == 0 then "ok"
			 else "gaps \($k.seq_gaps), repeats \($k.seq_repeats), incomplete \($k.incomplete_clients), errors \($r.errors.total), drops \($r.drops.total)" end) + " |"' \
			"$OUT/$path-$run.json"
	done
done
