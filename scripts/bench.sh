#!/usr/bin/env bash
# Benchmark of the data plane per core, on release builds, side by side with nginx in the same run, as ratios.
# The process under test (the proxy, or nginx as a reverse proxy) is pinned to its own core(s) with taskset; wrk,
# the upstream and every other client run on the other core(s). The upstream is a second nginx answering the seed's
# recorded body with `return 200` (it costs almost nothing); streams come from mock-azure, which nginx cannot
# replace (its `return` cannot stream SSE). Writes markdown (tables, ours/nginx ratios, target met or NOT met) to
# docs/benchmarks.md and prints it. Loopback only; every wrk run is bounded in time.
#
#   scripts/bench.sh
#   BENCH_SKIP_BUILD=1 BENCH_BIN=/path/to/release BENCH_DURATION=3 BENCH_OUT=/tmp/bench.md scripts/bench.sh
#
# BENCH_DURATION (10) seconds per wrk run; BENCH_ROUNDS (3) alternated rounds of the data-plane runs (medians);
# BENCH_LOG_ROUNDS (5) spend-logging rounds; BENCH_DATABASE_URL adds spend logging on PostgreSQL; BENCH_IDLE_CONNS
# (10000) idle keep-alive connections; BENCH_STREAMS (1000) concurrent SSE streams, at mock-azure --speed
# BENCH_STREAM_SPEED (0.2), started over BENCH_STREAM_SPREAD (2) seconds; BENCH_TTFB_REQUESTS (200).
# Needs: wrk, nginx, python3, taskset, curl (Debian: apt-get install -y wrk nginx); perf for the router's profile.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-3}
LOG_ROUNDS=${BENCH_LOG_ROUNDS:-5}
OUT=${BENCH_OUT:-docs/benchmarks.md}
IDLE_CONNS=${BENCH_IDLE_CONNS:-10000}
STREAMS=${BENCH_STREAMS:-1000}
STREAM_SPEED=${BENCH_STREAM_SPEED:-0.2}
STREAM_SPREAD=${BENCH_STREAM_SPREAD:-2}
TTFB_REQUESTS=${BENCH_TTFB_REQUESTS:-200}
UP_PORT=18181 NGX_PORT=18182 MOCK_PORT=18183 MOCKT_PORT=18184 OFF_PORT=18185 ON_PORT=18186 PG_PORT=18187
NGX4_PORT=18188 OFF4_PORT=18189
HZ=$(getconf CLK_TCK)

for tool in wrk nginx python3 taskset curl ss; do
  command -v "$tool" > /dev/null || { echo "bench: needs $tool (apt-get install -y wrk nginx)" >&2; exit 2; }
done

# Cores: the process under test on CPU 0 (CPUs 0-3 for the 4-core figures, on a machine with at least 6 cores),
# the load (wrk, the upstream, mock-azure, the python clients) on the rest.
NCPU=$(nproc)
[ "$NCPU" -ge 2 ] || { echo "bench: needs at least 2 cores (one for the proxy, one for the load)" >&2; exit 2; }
if [ "$NCPU" -ge 6 ]; then LOAD_FIRST=4; else LOAD_FIRST=1; fi
LOAD_N=$((NCPU - LOAD_FIRST))
if [ "$LOAD_N" -eq 1 ]; then LOAD_CPUS=$LOAD_FIRST; else LOAD_CPUS="$LOAD_FIRST-$((NCPU - 1))"; fi
SUT_CPUS=0
SUT4_CPUS=0-3

# Open files for 1,000 wrk connections and 10,000 idle ones (with their upstream sides): as many as allowed.
ulimit -n 65536 2> /dev/null || ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
NOFILE=$(ulimit -n)
if [ "$IDLE_CONNS" -gt $((NOFILE - 500)) ]; then IDLE_CONNS=$((NOFILE - 500)); fi
WORKER_CONNS=$((NOFILE - 64 < 16384 ? NOFILE - 64 : 16384))

WORK=$(mktemp -d)
SERVICE_PIDS=()
CLIENT="" # a client running in the background (the idle connections, the sampler), stopped on exit too
cleanup() {
  [ -z "$CLIENT" ] || kill "$CLIENT" 2> /dev/null || true
  for pid in "${SERVICE_PIDS[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${SERVICE_PIDS[@]}"; do wait "$pid" 2> /dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# start CPUS LOG COMMAND…: runs it pinned, in the background; its PID in STARTED (taskset execs the command).
start() {
  local cpus=$1 log=$2
  shift 2
  taskset -c "$cpus" "$@" > "$log" 2>&1 &
  STARTED=$!
  SERVICE_PIDS+=("$STARTED")
}
wait_port() { # port path
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1$2" && return 0; sleep 0.1; done
  echo "bench: nothing answers on port $1" >&2
  exit 1
}
RESULTS=$WORK/results.txt
: > "$RESULTS"
put() { echo "$1=$2" >> "$RESULTS"; }

# The release binaries as the image ships them (scripts/build-release.sh: -c release --static-swift-stdlib, the
# Dockerfile's flags; the same build the soak and check-static use, under the machine's build lock).
# BENCH_SKIP_BUILD=1: use the release binaries already built; BENCH_BIN: their folder.
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  echo "== building release (proxy, mock-azure)" >&2
  scripts/build-release.sh mock-azure proxy >&2
fi
BIN=${BENCH_BIN:-$(scripts/build-release.sh --show-bin-path)}
[ -x "$BIN/proxy" ] && [ -x "$BIN/mock-azure" ] || { echo "bench: no proxy and mock-azure in $BIN" >&2; exit 2; }

# mock-azure, fixtures without quotas (so it never rate-limits the benchmark): instant (--speed 0) for the seed's body
# and the streams' time to first byte, timed (--speed STREAM_SPEED) for the concurrent streams.
mkdir -p "$WORK/fixtures"
cp -r fixtures/scenarios "$WORK/fixtures/"
cat > "$WORK/fixtures/deployments.yaml" << YAML
deployments:
  - {name: o4-mini, model: o4-mini-2025-04-16}
YAML
start "$LOAD_CPUS" "$WORK/mock.log" "$BIN/mock-azure" --port $MOCK_PORT --fixtures "$WORK/fixtures" --speed 0 \
  --log-level warning
start "$LOAD_CPUS" "$WORK/mock-timed.log" "$BIN/mock-azure" --port $MOCKT_PORT --fixtures "$WORK/fixtures" \
  --speed "$STREAM_SPEED" --log-level warning
MOCKT_PID=$STARTED
wait_port $MOCK_PORT /
wait_port $MOCKT_PORT /

SEED_ID=chatcmpl-CHr8WRLSX5TzWqrnIJvdp8iJquX3B
AZURE_PATH="/openai/deployments/o4-mini/chat/completions?api-version=2025-01-01-preview"
BODY='{"model":"o4-mini","messages":[{"role":"user","content":"what llm are you"}]}'
STREAM_BODY='{"model":"o4-mini","stream":true,'
STREAM_BODY+='"messages":[{"role":"user","content":"Explain streaming in one sentence"}]}'
HEADERS=(-H 'content-type: application/json' -H 'api-key: bench-azure-key' -H 'Authorization: Bearer sk-bench-1234')
SEED_BODY=$(curl -sf "http://127.0.0.1:$MOCK_PORT$AZURE_PATH" "${HEADERS[@]}" -d "$BODY")
[[ "$SEED_BODY" == *"$SEED_ID"* ]] || { echo "bench: mock-azure does not answer the seed" >&2; exit 1; }
case "$SEED_BODY" in *"'"* | *'$'* | *'\'*) echo "bench: the seed's body has ' \$ or \\ (nginx)" >&2; exit 1 ;; esac
# The same body with a new id for every answer (nginx's $request_id), for spend logging: every request a new row.
UNIQUE_BODY=${SEED_BODY/$SEED_ID/chatcmpl-\$request_id}

# The upstream: nginx on the load core(s), answering the seed with Azure's headers, keep-alive without a limit.
cat > "$WORK/upstream.conf" << NGINX
daemon off;
worker_processes $LOAD_N;
worker_rlimit_nofile $NOFILE;
pid $WORK/upstream.pid;
error_log $WORK/upstream-error.log warn;
events { worker_connections $WORKER_CONNS; }
http {
  access_log off;
  client_body_temp_path $WORK/upstream-body;
  server {
    listen 127.0.0.1:$UP_PORT backlog=4096;
    keepalive_requests 1000000;
    default_type application/json;
    add_header apim-request-id 5b21d95b-a477-4a00-8899-dc6056c94f6e;
    add_header x-request-id 51830d54-366c-481e-bd08-098b7fa68419;
    add_header x-ms-client-request-id 5b21d95b-a477-4a00-8899-dc6056c94f6e;
    add_header x-ms-region "Japan East";
    add_header x-ms-deployment-name o4-mini;
    add_header azureml-model-session d30;
    location /openai/deployments/o4-mini-unique/ { return 200 '$UNIQUE_BODY'; }
    location / { return 200 '$SEED_BODY'; }
  }
}
NGINX
start "$LOAD_CPUS" "$WORK/upstream.log" nginx -c "$WORK/upstream.conf"
UP_PID=$STARTED

# nginx as a plain keep-alive reverse proxy: the reference for the process under test.
nginx_proxy_conf() { # name port workers
  cat << NGINX
daemon off;
worker_processes $3;
worker_rlimit_nofile $NOFILE;
pid $WORK/$1.pid;
error_log $WORK/$1-error.log warn;
events { worker_connections $WORKER_CONNS; }
http {
  access_log off;
  client_body_temp_path $WORK/$1-body;
  proxy_temp_path $WORK/$1-proxy;
  upstream up { server 127.0.0.1:$UP_PORT; keepalive 256; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$2;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://up;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
NGINX
}
nginx_proxy_conf nginx $NGX_PORT 1 > "$WORK/nginx.conf"
start "$SUT_CPUS" "$WORK/nginx.log" nginx -c "$WORK/nginx.conf"
NGX_PID=$STARTED

# The proxy's config: every group on the upstream nginx but the streams (mock-azure); the router's pool is the
# same upstream as three deployments of one group, picked by latency-based routing.
deployment() { # group deployment port [id]
  echo "  - model_name: $1"
  echo "    litellm_params: {model: azure/$2, api_base: \"http://127.0.0.1:$3\", api_version: \"2025-01-01-preview\","
  echo "      api_key: bench-azure-key}"
  [ -z "${4:-}" ] || echo "    model_info: {id: $4}"
}
{
  echo "model_list:"
  deployment o4-mini o4-mini $UP_PORT
  deployment o4-mini-unique o4-mini-unique $UP_PORT
  for id in pool-1 pool-2 pool-3; do deployment o4-mini-pool o4-mini $UP_PORT $id; done
  deployment o4-mini-stream o4-mini $MOCK_PORT
  deployment o4-mini-timed o4-mini $MOCKT_PORT
  cat << YAML
router_settings:
  routing_strategy: latency-based-routing
litellm_settings:
  callbacks: ["prometheus"]
general_settings:
  master_key: sk-bench-1234
YAML
} > "$WORK/config-base.yaml"
{ cat "$WORK/config-base.yaml"; echo "  sqlite_path: $WORK/off.sqlite"; echo "  disable_spend_logs: true"; } \
  > "$WORK/config-off.yaml"
{ cat "$WORK/config-base.yaml"; echo "  sqlite_path: $WORK/spend.sqlite"; } > "$WORK/config-on.yaml"
# PostgreSQL's spill file and journal in the work folder too (by default they go to the working directory).
{ cat "$WORK/config-on.yaml"; echo "  spend_spill_path: $WORK/pg-spill.jsonl"; } > "$WORK/config-pg.yaml"
# --keepalive_timeout 300: the idle connections must stay open while they are counted (the default closes at 5 s).
start_proxy() { # cpus config port log [env…]
  local cpus=$1 config=$2 port=$3 log=$4
  shift 4
  start "$cpus" "$log" env "$@" "$BIN/proxy" --config "$config" --port "$port" --host 127.0.0.1 \
    --keepalive_timeout 300
}
start_proxy "$SUT_CPUS" "$WORK/config-off.yaml" $OFF_PORT "$WORK/proxy-off.log"
OFF_PID=$STARTED
start_proxy "$SUT_CPUS" "$WORK/config-on.yaml" $ON_PORT "$WORK/proxy-on.log"
ON_PID=$STARTED
PG_PID=""
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  start_proxy "$SUT_CPUS" "$WORK/config-pg.yaml" $PG_PORT "$WORK/proxy-pg.log" DATABASE_URL="$BENCH_DATABASE_URL"
  PG_PID=$STARTED
fi
FOUR_CORES=""
if [ "$NCPU" -ge 6 ]; then
  FOUR_CORES=1
  nginx_proxy_conf nginx4 $NGX4_PORT 4 > "$WORK/nginx4.conf"
  start "$SUT4_CPUS" "$WORK/nginx4.log" nginx -c "$WORK/nginx4.conf"
  NGX4_PID=$STARTED
  start_proxy "$SUT4_CPUS" "$WORK/config-off.yaml" $OFF4_PORT "$WORK/proxy-off4.log"
  OFF4_PID=$STARTED
fi
for port in $UP_PORT $NGX_PORT ${FOUR_CORES:+$NGX4_PORT}; do wait_port "$port" /; done
for port in $OFF_PORT $ON_PORT ${PG_PID:+$PG_PORT} ${FOUR_CORES:+$OFF4_PORT}; do
  wait_port "$port" /health/liveliness
done

# Each target answers the seed before it is measured; the logging group a new id each time; the stream its end.
SUT_URLS=("http://127.0.0.1:$UP_PORT$AZURE_PATH" "http://127.0.0.1:$NGX_PORT$AZURE_PATH")
for port in $OFF_PORT $ON_PORT ${PG_PID:+$PG_PORT} ${FOUR_CORES:+$OFF4_PORT}; do
  SUT_URLS+=("http://127.0.0.1:$port/chat/completions")
done
[ -z "$FOUR_CORES" ] || SUT_URLS+=("http://127.0.0.1:$NGX4_PORT$AZURE_PATH")
for url in "${SUT_URLS[@]}"; do
  curl -sf "$url" "${HEADERS[@]}" -d "$BODY" | grep -q "$SEED_ID" \
    || { echo "bench: $url does not answer the seed" >&2; exit 1; }
done
UNIQUE_REQUEST=${BODY/\"o4-mini\"/\"o4-mini-unique\"}
answer_id() { curl -sf "http://127.0.0.1:$OFF_PORT/chat/completions" "${HEADERS[@]}" -d "$1" | grep -o '"id":"[^"]*"'; }
first=$(answer_id "$UNIQUE_REQUEST")
second=$(answer_id "$UNIQUE_REQUEST")
[ -n "$first" ] && [ "$first" != "$second" ] || { echo "bench: o4-mini-unique does not answer new ids" >&2; exit 1; }
STREAM_REQUEST=${STREAM_BODY/\"o4-mini\"/\"o4-mini-stream\"}
curl -sfN "http://127.0.0.1:$OFF_PORT/chat/completions" "${HEADERS[@]}" -d "$STREAM_REQUEST" \
  | grep -q '^data: \[DONE\]' || { echo "bench: the proxy does not relay the stream" >&2; exit 1; }

sleep 0.5
rss() { awk '/VmRSS/ { s += $2 } END { print s }' $(for pid in "$@"; do echo "/proc/$pid/status"; done); }
put RSS_IDLE "$(rss $OFF_PID)"
put THREADS_IDLE "$(ls /proc/$OFF_PID/task | wc -l)"
nginx_pids() { echo "$1 $(pgrep -P "$1" | tr '\n' ' ')"; }
cpu_ticks() { cat $(for pid in "$@"; do echo "/proc/$pid/stat"; done) | awk '{ s += $14 + $15 } END { print s }'; }

cat > "$WORK/post.lua" << LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["api-key"] = "bench-azure-key"
wrk.headers["Authorization"] = "Bearer sk-bench-1234"
LUA
# wrk's latency in microseconds for a percentile line ("50%  123.00us").
percentile() {
  awk -v p="$1" '$1 == p { v = $2; if (v ~ /us$/) { sub("us", "", v); print v } else if (v ~ /ms$/) {
    sub("ms", "", v); print v * 1000 } else if (v ~ /s$/) { sub("s", "", v); print v * 1000000 } }' "$2"
}
rps() { awk '/Requests\/sec/ { print $2 }' "$1"; }
requests() { awk '/requests in/ { s += $1 } END { print s }' "$@"; }
median() { echo "$@" | tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# wrk_run OUT THREADS CONNS SCRIPT URL [wrk options…]: pinned to the load cores; fails on errors.
wrk_run() {
  local out=$1 threads=$2 conns=$3 script=$4 url=$5
  shift 5
  taskset -c "$LOAD_CPUS" wrk -t"$threads" -c"$conns" -d"${DURATION}s" "$@" -s "$script" "$url" > "$out"
  if grep -qE "Non-2xx|Socket errors" "$out"; then
    echo "bench: errors from $url (c=$conns):" >&2
    cat "$out" >&2
    grep -q "Non-2xx" "$out" && exit 1
  fi
  return 0
}

# 1 and 2, one core. Alternated rounds (direct, nginx, ours) at c=1 (latency) and c=64 (throughput); the CPU time
# of the process under test over its c=64 runs (from /proc/PID/stat) per request.
declare -A URL PIDS_OF
URL[direct]="http://127.0.0.1:$UP_PORT$AZURE_PATH"
URL[nginx]="http://127.0.0.1:$NGX_PORT$AZURE_PATH"
URL[ours]="http://127.0.0.1:$OFF_PORT/chat/completions"
PIDS_OF[direct]=$(nginx_pids $UP_PID)
PIDS_OF[nginx]=$(nginx_pids $NGX_PID)
PIDS_OF[ours]=$OFF_PID
TARGETS="direct nginx ours"
if [ -n "$FOUR_CORES" ]; then
  URL[nginx4]="http://127.0.0.1:$NGX4_PORT$AZURE_PATH"
  URL[ours4]="http://127.0.0.1:$OFF4_PORT/chat/completions"
  PIDS_OF[nginx4]=$(nginx_pids $NGX4_PID)
  PIDS_OF[ours4]=$OFF4_PID
fi
echo "== data plane: $ROUNDS rounds of ${DURATION}s wrk runs; under test on CPU $SUT_CPUS, load on CPU $LOAD_CPUS" >&2
declare -A TICKS
for name in $TARGETS ${FOUR_CORES:+nginx4 ours4}; do TICKS[$name]=0; done
for round in $(seq 1 "$ROUNDS"); do
  for name in $TARGETS; do
    wrk_run "$WORK/$name-c1-$round.txt" 1 1 "$WORK/post.lua" "${URL[$name]}" --latency
  done
  for name in $TARGETS ${FOUR_CORES:+nginx4 ours4}; do
    before=$(cpu_ticks ${PIDS_OF[$name]})
    conns=64
    [[ $name != *4 ]] || conns=256 # four cores: four times the connections
    wrk_run "$WORK/$name-c64-$round.txt" "$LOAD_N" $conns "$WORK/post.lua" "${URL[$name]}"
    TICKS[$name]=$((${TICKS[$name]} + $(cpu_ticks ${PIDS_OF[$name]}) - before))
  done
done
for name in $TARGETS ${FOUR_CORES:+nginx4 ours4}; do
  if [ -f "$WORK/$name-c1-1.txt" ]; then
    put "${name}_P50" "$(median $(for r in $(seq 1 "$ROUNDS"); do percentile 50% "$WORK/$name-c1-$r.txt"; done))"
    put "${name}_P99" "$(median $(for r in $(seq 1 "$ROUNDS"); do percentile 99% "$WORK/$name-c1-$r.txt"; done))"
  fi
  series=$(for r in $(seq 1 "$ROUNDS"); do rps "$WORK/$name-c64-$r.txt"; done | tr '\n' ' ')
  put "${name}_RPS" "$(median $series)"
  put "${name}_RPS_SERIES" "$series"
  put "${name}_CPU_US" "$(awk -v t="${TICKS[$name]}" -v r="$(requests "$WORK/$name"-c64-*.txt)" -v hz="$HZ" \
    'BEGIN { printf "%.1f", t / hz / r * 1e6 }')"
  put "${name}_BUSY" "$(awk -v t="${TICKS[$name]}" -v s=$((DURATION * ROUNDS)) -v hz="$HZ" \
    'BEGIN { printf "%.0f", t / hz / s * 100 }')"
  echo "== $name: c=64 RPS $series, $(grep "^${name}_CPU_US=" "$RESULTS" | cut -d= -f2) µs CPU per request" >&2
done
put THREADS_LOADED "$(ls /proc/$OFF_PID/task | wc -l)"

# 4, the tail at 1,000 connections (ours and nginx), and the proxy's RSS after it.
echo "== 1,000 connections" >&2
for name in nginx ours; do
  wrk_run "$WORK/$name-c1000.txt" "$LOAD_N" 1000 "$WORK/post.lua" "${URL[$name]}" --latency --timeout 10s
  put "${name}_C1000_P50" "$(percentile 50% "$WORK/$name-c1000.txt")"
  put "${name}_C1000_P99" "$(percentile 99% "$WORK/$name-c1000.txt")"
  put "${name}_C1000_RPS" "$(rps "$WORK/$name-c1000.txt")"
  put "${name}_C1000_ERRORS" "$(grep "Socket errors" "$WORK/$name-c1000.txt" | sed 's/^ *Socket errors: //' || true)"
done
put RSS_C1000 "$(rss $OFF_PID)"
put NGINX_RSS_C1000 "$(rss ${PIDS_OF[nginx]})"

# 4, 10,000 idle keep-alive connections: each sends one request, reads its answer and stays open.
cat > "$WORK/idle.py" << 'PY'
import asyncio, sys
port, n, path, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: keep-alive\r\n\r\n".encode()
async def one():
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
    await reader.readexactly(length[0] if length else 0)
    return (reader, writer) if head.startswith(b"HTTP/1.1 200") else None
async def main():
    open_ = []
    for start in range(0, n, 250):
        done = await asyncio.gather(*(one() for _ in range(start, min(n, start + 250))), return_exceptions=True)
        open_ += [c for c in done if isinstance(c, tuple)]
    with open(ready, "w") as f:
        f.write(f"{len(open_)}\n")
    await asyncio.sleep(3600)
asyncio.run(main())
PY
idle_run() { # name port path pids…
  local name=$1 port=$2 path=$3 client
  shift 3
  rm -f "$WORK/idle-$name.ready"
  put "${name}_IDLE_RSS_BEFORE" "$(rss "$@")"
  taskset -c "$LOAD_CPUS" python3 "$WORK/idle.py" "$port" "$IDLE_CONNS" "$path" "$WORK/idle-$name.ready" \
    > "$WORK/idle-$name.log" 2>&1 &
  client=$!
  CLIENT=$client
  for _ in $(seq 1 1200); do [ -s "$WORK/idle-$name.ready" ] && break; sleep 0.1; done
  sleep 1
  put "${name}_IDLE_OPEN" "$(cat "$WORK/idle-$name.ready" 2> /dev/null || echo 0)"
  put "${name}_IDLE_ESTABLISHED" "$(ss -Htn state established "( sport = :$port )" | wc -l)"
  put "${name}_IDLE_RSS" "$(rss "$@")"
  kill $client 2> /dev/null || true
  wait $client 2> /dev/null || true
  CLIENT=""
  sleep 1
}
echo "== $IDLE_CONNS idle keep-alive connections" >&2
idle_run ours $OFF_PORT /health/liveliness $OFF_PID
idle_run nginx $NGX_PORT "$AZURE_PATH" ${PIDS_OF[nginx]}
put IDLE_CONNS "$IDLE_CONNS"

# 5, streaming: time to first byte at c=1, through the proxy and straight to mock-azure (--speed 0), alternated;
# the proxy's CPU time per relayed stream over these requests.
echo "== streams: time to first byte, $TTFB_REQUESTS requests each" >&2
ttfb() { # url body
  taskset -c "$LOAD_CPUS" curl -s -o /dev/null -w '%{time_starttransfer}\n' "$1" "${HEADERS[@]}" -d "$2"
}
: > "$WORK/ttfb-direct.txt"
: > "$WORK/ttfb-ours.txt"
stream_ticks=0
for _ in $(seq 1 "$TTFB_REQUESTS"); do
  ttfb "http://127.0.0.1:$MOCK_PORT$AZURE_PATH" "$STREAM_BODY" >> "$WORK/ttfb-direct.txt"
  before=$(cpu_ticks $OFF_PID)
  ttfb "http://127.0.0.1:$OFF_PORT/chat/completions" "$STREAM_REQUEST" >> "$WORK/ttfb-ours.txt"
  stream_ticks=$((stream_ticks + $(cpu_ticks $OFF_PID) - before))
done
put TTFB_DIRECT "$(median $(cat "$WORK/ttfb-direct.txt"))"
put TTFB_OURS "$(median $(cat "$WORK/ttfb-ours.txt"))"
put STREAM_CPU_US "$(awk -v t=$stream_ticks -v n="$TTFB_REQUESTS" -v hz="$HZ" \
  'BEGIN { printf "%.0f", t / hz / n * 1e6 }')"

# 5, concurrent streams relayed: STREAMS streams from mock-azure replaying the recorded event timing (slowed by
# --speed STREAM_SPEED, so that they overlap), started over STREAM_SPREAD s, straight and through the proxy; each
# event's arrival time. The python report compares each inter-event gap with the median gap of the straight run.
cat > "$WORK/sse.py" << 'PY'
import asyncio, json, sys, time
port, path, n, body, auth, spread = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], \
    float(sys.argv[6])
request = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n{auth}\r\n"
           f"Content-Length: {len(body.encode())}\r\nConnection: close\r\n\r\n{body}").encode()
async def stream(i, connection, go):
    reader, writer = connection
    await go.wait()
    await asyncio.sleep(spread * i / n)
    t0 = time.perf_counter()
    writer.write(request)
    times, buffer, seen, status = [], b"", 0, None
    while b"[DONE]" not in buffer:
        data = await reader.read(65536)
        now = time.perf_counter()
        if not data:
            break
        buffer += data
        if status is None and b"\r\n" in buffer:
            status = buffer.split(b" ", 2)[1].decode()
        count = buffer.count(b"data: ")
        times += [now - t0] * (count - seen)
        seen = count
    writer.close()
    return {"status": status, "times": times}
async def main():
    connections = []
    for start in range(0, n, 100):
        connections += await asyncio.gather(*(asyncio.open_connection("127.0.0.1", port)
                                              for _ in range(start, min(n, start + 100))))
    go = asyncio.Event()
    tasks = [asyncio.create_task(stream(i, c, go)) for i, c in enumerate(connections)]
    await asyncio.sleep(0.2)
    go.set()
    print(json.dumps(await asyncio.gather(*tasks)))
asyncio.run(main())
PY
echo "== streams: $STREAMS concurrent (mock-azure --speed $STREAM_SPEED)" >&2
taskset -c "$LOAD_CPUS" python3 "$WORK/sse.py" $MOCKT_PORT "$AZURE_PATH" "$STREAMS" "$STREAM_BODY" \
  "api-key: bench-azure-key" "$STREAM_SPREAD" > "$WORK/streams-direct.json"
# The upstream connections the proxy holds open, sampled while the streams run.
(while :; do ss -Htn state established "( dport = :$MOCKT_PORT )" | wc -l; sleep 0.25; done \
  > "$WORK/upstream-conns.txt") &
SAMPLER=$!
CLIENT=$SAMPLER
before=$(cpu_ticks $OFF_PID)
taskset -c "$LOAD_CPUS" python3 "$WORK/sse.py" $OFF_PORT /chat/completions "$STREAMS" \
  "${STREAM_BODY/\"o4-mini\"/\"o4-mini-timed\"}" "Authorization: Bearer sk-bench-1234" "$STREAM_SPREAD" \
  > "$WORK/streams-ours.json"
put STREAMS_CPU_US "$(awk -v t=$(($(cpu_ticks $OFF_PID) - before)) -v n="$STREAMS" -v hz="$HZ" \
  'BEGIN { printf "%.0f", t / hz / n * 1e6 }')"
kill $SAMPLER 2> /dev/null || true
wait $SAMPLER 2> /dev/null || true
CLIENT=""
put STREAMS_UPSTREAM_CONNS "$(sort -n "$WORK/upstream-conns.txt" | tail -n 1)"
put RSS_STREAMS "$(rss $OFF_PID)"

# 6, spend logging's cost: alternated c=64 rounds (off, on SQLite, on PostgreSQL when set), medians; every request a
# new row (a unique prompt, and a unique answer id from the upstream: with the seed's fixed id every row after the
# first is a conflict the database skips, and the insert cost would not be measured). Also each proxy's CPU time per
# request over all its runs, the figure the noise of a shared machine blurs least (the writer flushes at least every
# 10 s: the waits take its work in). PostgreSQL itself is not pinned.
cat > "$WORK/unique.lua" << 'LUA'
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
local counter = 0
local run = tostring(os.time())
function request()
  counter = counter + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer sk-bench-1234"},
    '{"model":"o4-mini-unique","messages":[{"role":"user","content":"bench ' .. run .. ' ' .. tid .. ' '
    .. counter .. '"}]}')
end
LUA
LOG_TARGETS="off:$OFF_PORT:$OFF_PID on:$ON_PORT:$ON_PID${PG_PID:+ pg:$PG_PORT:$PG_PID}"
echo "== spend logging: $LOG_ROUNDS rounds ($LOG_TARGETS)" >&2
sleep 11
declare -A LOG_T0 LOG_RPS
for target in $LOG_TARGETS; do
  IFS=: read -r name port pid <<< "$target"
  LOG_T0[$name]=$(cpu_ticks "$pid")
  LOG_RPS[$name]=""
done
for round in $(seq 1 "$LOG_ROUNDS"); do
  for target in $LOG_TARGETS; do
    IFS=: read -r name port pid <<< "$target"
    wrk_run "$WORK/log-$name-$round.txt" "$LOAD_N" 64 "$WORK/unique.lua" "http://127.0.0.1:$port/chat/completions"
    LOG_RPS[$name]="${LOG_RPS[$name]} $(rps "$WORK/log-$name-$round.txt")"
  done
done
sleep 11
LOG_SUMMARY=""
for target in $LOG_TARGETS; do
  IFS=: read -r name port pid <<< "$target"
  cpu=$(awk -v t=$(($(cpu_ticks "$pid") - ${LOG_T0[$name]})) -v r="$(requests "$WORK"/log-"$name"-*.txt)" -v hz="$HZ" \
    'BEGIN { printf "%.1f", t / hz / r * 1e6 }')
  LOG_SUMMARY="$LOG_SUMMARY $name:$(median ${LOG_RPS[$name]}):$cpu:$(echo ${LOG_RPS[$name]} | tr ' ' '/')"
  echo "== logging $name: c=64 RPS${LOG_RPS[$name]} (median $(median ${LOG_RPS[$name]})), $cpu µs CPU per request" >&2
done
put LOG_SUMMARY "$LOG_SUMMARY"
put RSS_LOGGING "$(rss $ON_PID)"

# The router's cost: a single deployment vs a three-deployment group, alternated (A B A B …) so drift hits both
# alike; the median of the paired p50 differences. Then the same cost from a CPU profile, which the run-to-run noise
# of wall-clock p50s does not blur: the router's share of the proxy's CPU samples (ModelRouter.select and
# RouterState's updates) times the proxy's CPU time per request, under c=64 load on the pool. Needs perf (Debian:
# linux-perf) with the cpu-clock event; skipped without it.
echo "== router" >&2
sed 's/"model":"o4-mini"/"model":"o4-mini-pool"/' "$WORK/post.lua" > "$WORK/pool.lua"
ROUTER_DIFFS=""
for round in 1 2 3 4 5; do
  for kind in single pool; do
    script=$WORK/post.lua
    [ $kind = single ] || script=$WORK/pool.lua
    taskset -c "$LOAD_CPUS" wrk -t1 -c1 -d"${ROUTER_SECONDS:-4}s" --latency -s "$script" "${URL[ours]}" \
      > "$WORK/$kind-$round.txt"
  done
  grep -q "Non-2xx" "$WORK/pool-$round.txt" && { echo "bench: the pool answered errors" >&2; exit 1; }
  ROUTER_DIFFS="$ROUTER_DIFFS $(awk -v a="$(percentile 50% "$WORK/pool-$round.txt")" \
    -v b="$(percentile 50% "$WORK/single-$round.txt")" 'BEGIN { print a - b }')"
done
put ROUTER_COST "$(median $ROUTER_DIFFS)"
put ROUTER_DIFFS "$ROUTER_DIFFS"
if command -v perf > /dev/null && perf record -e cpu-clock -o /dev/null -- true > /dev/null 2>&1; then
  before=$(cpu_ticks $OFF_PID)
  taskset -c "$LOAD_CPUS" wrk -t"$LOAD_N" -c64 -d8s -s "$WORK/pool.lua" "${URL[ours]}" > "$WORK/pool-c64.txt" &
  WRK_PID=$!
  perf record -e cpu-clock -F 2000 -g -p "$OFF_PID" -o "$WORK/perf.data" -- sleep 7 > /dev/null 2>&1 || true
  wait $WRK_PID
  ticks=$(($(cpu_ticks $OFF_PID) - before))
  share=$(perf report -i "$WORK/perf.data" --children --sort symbol --stdio -g none 2> /dev/null \
    | swift demangle --simplified \
    | awk '/\] (specialized )?(ModelRouter\.select\(group:|RouterState\.update\()/ { gsub("%", "", $1); s += $1 }
      END { print s + 0 }')
  # No router sample at all means the profile failed (no symbols, perf stopped early): no figure then.
  [ "$share" = 0 ] || put ROUTER_PROFILED "$(awk -v s="$share" -v t=$ticks \
    -v r="$(requests "$WORK/pool-c64.txt")" -v hz="$HZ" \
    'BEGIN { printf "%.1f", s / 100 * t / hz / r * 1e6 }')"
  put ROUTER_SHARE "$share"
fi

put NCPU "$NCPU"
put CPU_MODEL "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
put LOAD_CPUS "$LOAD_CPUS"
put LOAD_N "$LOAD_N"
put BIN "$BIN"
put DURATION "$DURATION"
put ROUNDS "$ROUNDS"
put LOG_ROUNDS "$LOG_ROUNDS"
put STREAMS "$STREAMS"
put STREAM_SPEED "$STREAM_SPEED"
put STREAM_SPREAD "$STREAM_SPREAD"
put TTFB_REQUESTS "$TTFB_REQUESTS"
put FOUR_CORES "$FOUR_CORES"
put NOFILE "$NOFILE"

python3 - "$OUT" "$RESULTS" "$WORK/streams-direct.json" "$WORK/streams-ours.json" << 'PY'
import datetime, json, statistics, sys
out, results, streams_direct, streams_ours = sys.argv[1:5]
e = dict(line.rstrip("\n").split("=", 1) for line in open(results) if "=" in line)
f = lambda key: float(e[key])
mib = lambda key: f(key) / 1024
verdict = lambda ok: "met" if ok else "**NOT met**"
ratio = lambda a, b: f"{a / b:.1f}×" if b > 0 else "—"

# One core: the paths.
paths = [("direct to the upstream (nginx `return`)", "direct"), ("nginx as reverse proxy, 1 worker", "nginx"),
         ("proxy (ours), spend logging off", "ours")]
d50 = f("direct_P50")
table = ["| path | c=1 p50 (µs) | c=1 p99 (µs) | added p50 (µs) | c=64 RPS | CPU per request (µs)"
         " | its core busy |",
         "|---|---|---|---|---|---|---|"]
for label, key in paths:
    added = "—" if key == "direct" else f"+{f(key + '_P50') - d50:.0f}"
    table.append(f"| {label} | {f(key + '_P50'):.0f} | {f(key + '_P99'):.0f} | {added} | {f(key + '_RPS'):.0f}"
                 f" | {f(key + '_CPU_US'):.1f} | {f(key + '_BUSY'):.0f} % |")
if e.get("FOUR_CORES"):
    for label, key in (("nginx as reverse proxy, 4 workers, CPUs 0-3", "nginx4"), ("proxy (ours), CPUs 0-3", "ours4")):
        table.append(f"| {label} | — | — | — | {f(key + '_RPS'):.0f} | {f(key + '_CPU_US'):.1f}"
                     f" | {f(key + '_BUSY') / 4:.0f} % |")

# Streams: per event, the gap since the one before, against the straight run's median gap for that event. Both
# runs are aligned on their last events (the proxy, as LiteLLM, drops Azure's first prompt-filter-only event).
direct, ours = json.load(open(streams_direct)), json.load(open(streams_ours))
def usable(runs): return [s["times"] for s in runs if s["status"] == "200" and s["times"]]
D, O = usable(direct), usable(ours)
stream_note = ""
if len(D) == len(direct) and len(O) == len(ours):
    m = min(min(map(len, D)), min(map(len, O)))
    tails = lambda runs: [t[-m:] for t in runs]
    D, O = tails(D), tails(O)
    gaps = lambda runs: [[t[k] - t[k - 1] for k in range(1, m)] for t in runs]
    gd, go = gaps(D), gaps(O)
    typical = [statistics.median(g[k] for g in gd) for k in range(m - 1)]
    def late(runs):
        j = sorted(g[k] - typical[k] for g in runs for k in range(m - 1))
        return j[-1] * 1000, j[int(len(j) * 0.99)] * 1000
    (d_max, d_p99), (o_max, o_p99) = late(gd), late(go)
    first = lambda runs: sorted(t[0] for t in runs)
    fd, fo = first(D), first(O)
    q = lambda v, p: v[min(len(v) - 1, int(len(v) * p))] * 1000
    waited = sum(1 for t in fo if t > fd[-1] + 0.5)
    gap_added = o_max - d_max
    stream_row = (f"| 5 | {len(O)} concurrent SSE streams relayed: max inter-event gap added (ms) | {gap_added:+.1f}"
                  f" | — | — | ≤ 20 | {verdict(gap_added <= 20)} |")
    stream_note = (
        f"- {len(O)} concurrent streams (mock-azure `--speed {e['STREAM_SPEED']}`, started over {e['STREAM_SPREAD']} s,"
        f" {m} events compared per stream, typical gaps {' '.join(f'{x * 1000:.0f}' for x in typical)} ms): an event's"
        f" lateness over the typical gap, max {o_max:.1f} ms through the proxy vs {d_max:.1f} ms straight (p99"
        f" {o_p99:.1f} vs {d_p99:.1f} ms). First relayed event after the request: p50 {q(fo, 0.5):.0f} ms, p99"
        f" {q(fo, 0.99):.0f} ms through the proxy vs p50 {q(fd, 0.5):.0f} ms, p99 {q(fd, 0.99):.0f} ms straight;"
        f" **{waited} of {len(O)} streams waited for an upstream connection** (their first event over 0.5 s after the"
        f" straight run's last): at most {e['STREAMS_UPSTREAM_CONNS']} upstream connections were open at once."
        f" Proxy CPU: {f('STREAMS_CPU_US') / 1000:.2f} ms per stream; RSS after {mib('RSS_STREAMS'):.1f} MiB.")
else:
    bad = lambda runs: sum(1 for s in runs if s["status"] != "200" or not s["times"])
    stream_row = (f"| 5 | concurrent SSE streams relayed | failed: {bad(ours)} of {len(ours)} through the proxy,"
                  f" {bad(direct)} of {len(direct)} straight | — | — | ≤ 20 ms added | **NOT measured** |")

ttfb_added = (f("TTFB_OURS") - f("TTFB_DIRECT")) * 1e6
p99p50 = lambda key: f(key + "_C1000_P99") / f(key + "_C1000_P50")
ours_added, nginx_added = f("ours_P50") - d50, f("nginx_P50") - d50
rps_share = f("ours_RPS") / f("nginx_RPS")
if e.get("FOUR_CORES"):
    scaling = f("ours4_RPS") / f("ours_RPS")
    scaling_row = (f"| 2 | 4 cores: RPS(4)/RPS(1), c=256 vs c=64 | {scaling:.2f}"
                   f" | {f('nginx4_RPS') / f('nginx_RPS'):.2f}"
                   f" | {f('ours4_RPS') / f('nginx4_RPS'):.0%} of nginx's RPS | ≥ 3.5 | {verdict(scaling >= 3.5)} |")
else:
    scaling_row = (f"| 2 | 4 cores: RPS(4)/RPS(1) | not measurable here: {e['NCPU']} cores (needs ≥ 6:"
                   f" CPUs 0-3 under test, the load on the rest) | — | — | ≥ 3.5 | not measured |")

runs = {name: (float(rps), float(cpu), series.replace("/", " "))
        for name, rps, cpu, series in (item.split(":") for item in e["LOG_SUMMARY"].split())}
off_rps, off_cpu, off_series = runs["off"]
logging_rows, logging_notes = [], []
for key, label in (("on", "SQLite"), ("pg", "PostgreSQL")):
    if key not in runs:
        continue
    rps, cpu, series = runs[key]
    cost, per_row = 1 - rps / off_rps, cpu - off_cpu
    logging_rows.append(f"| 6 | spend logging, {label}: RPS cost / proxy CPU per row | {cost:.1%} / {per_row:+.1f} µs"
                        f" | — | — | ≤ 5% / ≤ 15 µs | RPS {verdict(cost <= 0.05)},"
                        f" CPU {verdict(per_row <= 15)} |")
    logging_notes.append(f"- spend logging, {label}: c=64 medians {rps:.0f} vs {off_rps:.0f} RPS without it (runs"
                         f" {series} vs {off_series}); {cpu:.1f} vs {off_cpu:.1f} µs of proxy CPU per request")

rows = [
    "| # | figure | ours | nginx | ours/nginx | target | |",
    "|---|---|---|---|---|---|---|",
    f"| 1 | CPU per request, seed, spend logging off, c=64 (µs) | {f('ours_CPU_US'):.1f} | {f('nginx_CPU_US'):.1f}"
    f" | {ratio(f('ours_CPU_US'), f('nginx_CPU_US'))} | — | |",
    f"| 2 | one core: c=1 p50 added over direct (µs) | {ours_added:.0f} | {nginx_added:.0f}"
    f" | {ratio(ours_added, nginx_added)} | ≤ 3× | {verdict(nginx_added > 0 and ours_added <= 3 * nginx_added)} |",
    f"| 2 | one core: c=64 RPS | {f('ours_RPS'):.0f} | {f('nginx_RPS'):.0f} | {rps_share:.0%} | ≥ 30%"
    f" | {verdict(rps_share >= 0.30)} |",
    scaling_row,
    f"| 3 | threads of the proxy pinned to one CPU (idle / after load) | {e['THREADS_IDLE']} / {e['THREADS_LOADED']}"
    f" | 1 worker process | — | — | |",
    f"| 4 | c=1000 p50 / p99 (ms) | {f('ours_C1000_P50') / 1000:.1f} / {f('ours_C1000_P99') / 1000:.1f}"
    f" | {f('nginx_C1000_P50') / 1000:.1f} / {f('nginx_C1000_P99') / 1000:.1f} | — | — | |",
    f"| 4 | c=1000 p99/p50 | {p99p50('ours'):.2f} | {p99p50('nginx'):.2f} | — | ≤ 3"
    f" | {verdict(p99p50('ours') <= 3)} |",
    f"| 4 | RSS after c=1000 (MiB) | {mib('RSS_C1000'):.1f} | {mib('NGINX_RSS_C1000'):.1f} | — | ≤ 80"
    f" | {verdict(mib('RSS_C1000') <= 80)} |",
    f"| 4 | RSS with {int(e['IDLE_CONNS']):,} idle keep-alive connections open (MiB) | {mib('ours_IDLE_RSS'):.1f}"
    f" | {mib('nginx_IDLE_RSS'):.1f} | — | ≤ 150 | {verdict(mib('ours_IDLE_RSS') <= 150)} |",
    f"| 5 | stream time to first byte added, c=1 (µs) | {ttfb_added:+.0f} | — | — | ≤ 150"
    f" | {verdict(ttfb_added <= 150)} |",
    stream_row,
    *logging_rows,
]
if e.get("ROUTER_PROFILED"):
    rows.append(f"| — | router (latency-based, 3 deployments), profiled CPU per request (µs)"
                f" | {f('ROUTER_PROFILED'):.1f} | — | — | ≤ 10 | {verdict(f('ROUTER_PROFILED') <= 10)} |")
rows.append(f"| — | proxy RSS idle (MiB) | {mib('RSS_IDLE'):.1f} | — | — | ≤ 48"
            f" | {verdict(mib('RSS_IDLE') <= 48)} |")

notes = [
    f"- c=64 RPS per round: ours {e['ours_RPS_SERIES'].strip()}; nginx {e['nginx_RPS_SERIES'].strip()}; direct"
    f" {e['direct_RPS_SERIES'].strip()}. \"Its core busy\" is the process's CPU time over the c=64 runs' wall time:"
    f" below 100 % the load core(s), not the process under test, set the pace.",
    f"- c=1000 (wrk -t{e['LOAD_N']}, --timeout 10s): ours {f('ours_C1000_RPS'):.0f} RPS,"
    f" nginx {f('nginx_C1000_RPS'):.0f} RPS"
    + "".join(f"; {k} socket errors: {e[k + '_C1000_ERRORS']}" for k in ("ours", "nginx") if e.get(k + "_C1000_ERRORS"))
    + ".",
    f"- idle connections: ours {e['ours_IDLE_OPEN']} answered and open ({e['ours_IDLE_ESTABLISHED']} established at the"
    f" count), nginx {e['nginx_IDLE_OPEN']} ({e['nginx_IDLE_ESTABLISHED']}); ours answered `GET /health/liveliness`,"
    f" nginx proxied a GET to the upstream; RSS before opening them: ours {mib('ours_IDLE_RSS_BEFORE'):.1f} MiB,"
    f" nginx {mib('nginx_IDLE_RSS_BEFORE'):.1f} MiB; open files allowed: {e['NOFILE']}.",
    f"- stream time to first byte (curl `time_starttransfer`, {e['TTFB_REQUESTS']} alternated requests, medians):"
    f" {f('TTFB_OURS') * 1e6:.0f} µs through the proxy vs {f('TTFB_DIRECT') * 1e6:.0f} µs straight to mock-azure"
    f" (`--speed 0`); {f('STREAM_CPU_US'):.0f} µs of proxy CPU per stream.",
    *([stream_note] if stream_note else []),
    *logging_notes,
    f"- router vs a single deployment, c=1 p50, median of 5 alternated pairs: {f('ROUTER_COST'):+.0f} µs (pairs:"
    f" {e['ROUTER_DIFFS'].strip()})"
    + (f"; {f('ROUTER_SHARE'):.1f} % of the proxy's CPU samples" if e.get("ROUTER_SHARE")
       else "; no perf here for the profiled figure")
    + ("" if e.get("ROUTER_PROFILED") or not e.get("ROUTER_SHARE") else " (no router samples: profile failed)") + ".",
    f"- proxy RSS: {mib('RSS_IDLE'):.1f} MiB idle; the logging proxy (SQLite) {mib('RSS_LOGGING'):.1f} MiB after"
    f" its runs.",
]
text = f"""# Benchmarks

Generated by `scripts/bench.sh` on {datetime.date.today().isoformat()}: {e['NCPU']} cores ({e['CPU_MODEL']}), release
builds ({e['BIN']}), loopback only, {e['DURATION']} s per wrk run, {e['ROUNDS']} alternated rounds (medians). Pinned
with taskset: the process under test (the proxy, or nginx as a keep-alive reverse proxy with `worker_processes 1`) on
CPU 0; wrk, the upstream, mock-azure and the python clients on CPU {e['LOAD_CPUS']}; PostgreSQL, when used, where it
runs. The upstream is a second nginx answering the seed's recorded o4-mini body with `return 200` and Azure-like
headers (keep-alive, `keepalive_requests 1000000`); streams come from mock-azure (nginx's `return` cannot stream SSE).
The proxy runs with all its features (auth, routing, body rewrite, response shaping, LiteLLM headers, Prometheus
metrics), spend logging off unless a line says otherwise, `--keepalive_timeout 300`. CPU figures are the process's
user + system time (/proc/PID/stat) over the runs divided by their requests.

## One core

{chr(10).join(table)}

## Figures and targets

{chr(10).join(rows)}

{chr(10).join(notes)}
"""
open(out, "w").write(text)
print(text)
PY
