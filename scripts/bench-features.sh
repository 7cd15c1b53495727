#!/usr/bin/env bash
# What two optional features cost, on release builds, side by side with nginx in the same run. The response cache:
# a hit (the same request again, answered from the proxy's in-memory cache) and a miss (every request a new prompt:
# a lookup, the upstream call and a store). Tracing: every request traced (sampled 100 %), and one in ten
# (OTEL_TRACES_SAMPLER=parentbased_traceidratio, 0.1), exported over OTLP/HTTP to a collector that takes every batch
# (the upstream nginx answering /v1/traces), against the same proxy without it. The process under test is pinned to CPU 0; wrk and the upstream (nginx answering the seed's body) to the other
# cores. Alternated rounds; medians. Replaces the blocks between the cache-bench and tracing-bench markers in
# docs/benchmarks.md (BENCH_OUT) and prints them.
#
#   scripts/bench-features.sh
#   BENCH_SKIP_BUILD=1 BENCH_BIN=/path/to/release BENCH_DURATION=5 BENCH_ROUNDS=3 scripts/bench-features.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-8}
ROUNDS=${BENCH_ROUNDS:-3}
OUT=${BENCH_OUT:-docs/benchmarks.md}
UP_PORT=18281 NGX_PORT=18282 OURS_PORT=18283 OFF_PORT=18284 TRACED_PORT=18285 SAMPLED_PORT=18286
for tool in wrk nginx taskset curl; do
  command -v "$tool" > /dev/null || { echo "bench-features: needs $tool (apt-get install -y wrk nginx)" >&2; exit 2; }
done
NCPU=$(nproc)
[ "$NCPU" -ge 2 ] || { echo "bench-features: needs 2 cores (one for the proxy, one for the load)" >&2; exit 2; }
LOAD_CPUS=1-$((NCPU - 1))
[ "$NCPU" -gt 2 ] || LOAD_CPUS=1
[ -n "${BENCH_SKIP_BUILD:-}" ] || scripts/build-release.sh proxy >&2
BIN=${BENCH_BIN:-$(scripts/build-release.sh --show-bin-path)}
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
ready() { for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1$2" && return 0; sleep 0.1; done; exit 1; }

# The seed's recorded Azure answer, compacted (nginx's `return` takes it in single quotes).
SEED=$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), separators=(",", ":"), ensure_ascii=False))' \
  fixtures/reference/seed-azure-upstream-response.json)
case "$SEED" in *"'"* | *'$'* | *'\'*) echo "bench-features: the seed's body has ' \$ or \\ (nginx)" >&2; exit 1 ;; esac
cat > "$WORK/nginx.conf" << NGINX
daemon off; worker_processes 1; pid $WORK/nginx.pid; error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off; client_body_temp_path $WORK/body;
  server { listen 127.0.0.1:$UP_PORT; keepalive_requests 1000000; default_type application/json;
    client_max_body_size 64m;
    location / { return 200 '$SEED'; }
    location = /v1/traces { default_type application/x-protobuf; return 200 ''; } }
}
NGINX
cat > "$WORK/proxy-nginx.conf" << NGINX
daemon off; worker_processes 1; pid $WORK/proxy-nginx.pid; error_log $WORK/proxy-nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off; client_body_temp_path $WORK/pbody; proxy_temp_path $WORK/pproxy;
  upstream up { server 127.0.0.1:$UP_PORT; keepalive 256; keepalive_requests 1000000; }
  server { listen 127.0.0.1:$NGX_PORT; keepalive_requests 1000000;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
NGINX
cat > "$WORK/config.yaml" << YAML
model_list:
  - model_name: o4-mini
    litellm_params: {model: azure/o4-mini, api_base: "http://127.0.0.1:$UP_PORT", api_version: "2025-01-01-preview",
      api_key: bench-azure-key}
litellm_settings:
  callbacks: ["prometheus"]
  cache: true
  cache_params: {type: local}
general_settings:
  master_key: sk-bench-1234
  disable_spend_logs: true
  sqlite_path: $WORK/spend.sqlite
YAML
taskset -c "$LOAD_CPUS" nginx -c "$WORK/nginx.conf" & PIDS+=($!)
taskset -c 0 nginx -c "$WORK/proxy-nginx.conf" & PIDS+=($!)
# The same proxy without a cache (what a miss adds to a request), and that one with every request traced.
grep -v -e '^  cache' "$WORK/config.yaml" > "$WORK/config-off.yaml"
sed 's/callbacks: \["prometheus"\]/callbacks: ["prometheus", "otel"]/' "$WORK/config-off.yaml" > "$WORK/config-traced.yaml"
declare -A PID_OF
for port in $OURS_PORT $OFF_PORT $TRACED_PORT $SAMPLED_PORT; do
  config="$WORK/config.yaml" ratio=1.0
  [ $port != $OFF_PORT ] || config="$WORK/config-off.yaml"
  [ $port != $TRACED_PORT ] || config="$WORK/config-traced.yaml"
  [ $port != $SAMPLED_PORT ] || config="$WORK/config-traced.yaml" ratio=0.1
  OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$UP_PORT" OTEL_TRACES_SAMPLER=parentbased_traceidratio \
    OTEL_TRACES_SAMPLER_ARG=$ratio \
    taskset -c 0 "$BIN/proxy" --config "$config" --port $port --host 127.0.0.1 > "$WORK/proxy-$port.log" 2>&1 &
  PIDS+=($!) PID_OF[$port]=$!
done
for port in $UP_PORT $NGX_PORT; do ready $port /; done
for port in $OURS_PORT $OFF_PORT $TRACED_PORT $SAMPLED_PORT; do ready $port /health/liveliness; done

BODY='{"model":"o4-mini","messages":[{"role":"user","content":"what llm are you"}]}'
AZURE_PATH="/openai/deployments/o4-mini/chat/completions?api-version=2025-01-01-preview"
cat > "$WORK/same.lua" << LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["content-type"] = "application/json"
wrk.headers["api-key"] = "bench-azure-key"
wrk.headers["Authorization"] = "Bearer sk-bench-1234"
LUA
# A miss each time: a new prompt per request (wrk -t1: one counter).
cat > "$WORK/new.lua" << 'LUA'
local n = 0
local headers = {["content-type"] = "application/json", ["Authorization"] = "Bearer sk-bench-1234"}
request = function()
  n = n + 1
  return wrk.format("POST", nil, headers,
    '{"model":"o4-mini","messages":[{"role":"user","content":"what llm are you ' .. n .. '"}]}')
end
LUA
HIT=$(curl -s -D - -o /dev/null -H 'content-type: application/json' -H 'Authorization: Bearer sk-bench-1234' \
  -d "$BODY" "http://127.0.0.1:$OURS_PORT/chat/completions" > /dev/null; sleep 0.2;
  curl -s -D - -o /dev/null -H 'content-type: application/json' -H 'Authorization: Bearer sk-bench-1234' \
  -d "$BODY" "http://127.0.0.1:$OURS_PORT/chat/completions" | grep -ci '^x-litellm-cache-key' || true)
[ "$HIT" = 1 ] || { echo "bench-features: the second request was not a cache hit" >&2; exit 1; }

declare -A URL SCRIPT
URL[direct]="http://127.0.0.1:$UP_PORT$AZURE_PATH" SCRIPT[direct]=same
URL[nginx]="http://127.0.0.1:$NGX_PORT$AZURE_PATH" SCRIPT[nginx]=same
URL[hit]="http://127.0.0.1:$OURS_PORT/chat/completions" SCRIPT[hit]=same
URL[miss]="http://127.0.0.1:$OURS_PORT/chat/completions" SCRIPT[miss]=new
URL[off]="http://127.0.0.1:$OFF_PORT/chat/completions" SCRIPT[off]=new
URL[plain]="http://127.0.0.1:$OFF_PORT/chat/completions" SCRIPT[plain]=same
URL[traced]="http://127.0.0.1:$TRACED_PORT/chat/completions" SCRIPT[traced]=same
URL[sampled]="http://127.0.0.1:$SAMPLED_PORT/chat/completions" SCRIPT[sampled]=same
run() { # name conns round [wrk options]
  local out="$WORK/$1-c$2-$3.txt"
  taskset -c "$LOAD_CPUS" wrk -t1 -c"$2" -d"${DURATION}s" "${@:4}" -s "$WORK/${SCRIPT[$1]}.lua" "${URL[$1]}" > "$out"
  ! grep -q "Non-2xx" "$out" || { echo "bench-features: errors from $1" >&2; cat "$out" >&2; exit 1; }
}
micros() { awk -v p="$1" '$1 == p { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
  f = (u == "ms") ? 1000 : (u == "s") ? 1e6 : 1; printf "%.0f\n", v * f }' "$2"; }
median() { tr ' ' '\n' <<< "$*" | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "== $ROUNDS rounds of ${DURATION}s: c=1 latency and c=64 throughput; under test on CPU 0" >&2
# The proxy's CPU time (user + system, /proc/PID/stat) over the c=64 runs of `plain` and `traced`, per request.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
declare -A TICKS=([plain]=0 [traced]=0 [sampled]=0)
declare -A PORT_OF=([plain]=$OFF_PORT [traced]=$TRACED_PORT [sampled]=$SAMPLED_PORT)
for round in $(seq 1 "$ROUNDS"); do
  for name in direct nginx off hit miss plain traced sampled; do run $name 1 "$round" --latency; done
  for name in nginx off hit miss plain traced sampled; do
    [ -z "${PORT_OF[$name]:-}" ] || before=$(ticks "${PID_OF[${PORT_OF[$name]}]}")
    run $name 64 "$round"
    [ -z "${PORT_OF[$name]:-}" ] \
      || TICKS[$name]=$((TICKS[$name] + $(ticks "${PID_OF[${PORT_OF[$name]}]}") - before))
  done
done
declare -A P50 RPS CPU
for name in direct nginx off hit miss plain traced sampled; do
  P50[$name]=$(median $(for r in $(seq 1 "$ROUNDS"); do micros 50% "$WORK/$name-c1-$r.txt"; done))
done
for name in plain traced sampled; do
  CPU[$name]=$(cat "$WORK/$name"-c64-*.txt | awk -v t="${TICKS[$name]}" -v hz="$(getconf CLK_TCK)" \
    '/requests in/ { r += $1 } END { printf "%.1f", t / hz / r * 1e6 }')
done
# The collector got the spans: the traced proxy's exports reached nginx (none lost).
LOST=$(curl -s "http://127.0.0.1:$TRACED_PORT/metrics" | awk '/^llm_gateway_otel_spans_lost_total/ { s += $2 } END { print s + 0 }')
for name in nginx off hit miss plain traced sampled; do
  RPS[$name]=$(median $(for r in $(seq 1 "$ROUNDS"); do awk '/Requests\/sec/ { printf "%.0f\n", $2 }' \
    "$WORK/$name-c64-$r.txt"; done))
done
added() { echo $((P50[$1] - P50[direct])); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
TABLE=$(cat << MD
<!-- cache-bench:start -->
### Response cache: a hit and a miss against nginx (scripts/bench-features.sh)

$(date -u +%Y-%m-%d), $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $NCPU cores; the process under test
on CPU 0, wrk and the upstream on CPU $LOAD_CPUS; $ROUNDS alternated rounds of ${DURATION} s, medians. Hit: the same
request again (the in-memory cache answers; no upstream call). Miss: a new prompt each time (lookup, upstream call,
store; the 200-entry LRU evicting); no cache: the same new prompts through the proxy without one. Added p50 is over
the upstream straight (${P50[direct]} µs).

| path | c=1 added p50 | vs nginx's | c=64 RPS | vs nginx's |
|---|---|---|---|---|
| nginx reverse proxy | $(added nginx) µs | 1.00 | ${RPS[nginx]} | 1.00 |
| ours, no cache | $(added off) µs | $(ratio "$(added off)" "$(added nginx)") | ${RPS[off]} | $(ratio "${RPS[off]}" "${RPS[nginx]}") |
| ours, cache hit | $(added hit) µs | $(ratio "$(added hit)" "$(added nginx)") | ${RPS[hit]} | $(ratio "${RPS[hit]}" "${RPS[nginx]}") |
| ours, cache miss | $(added miss) µs | $(ratio "$(added miss)" "$(added nginx)") | ${RPS[miss]} | $(ratio "${RPS[miss]}" "${RPS[nginx]}") |
<!-- cache-bench:end -->
MD
)
TRACING=$(cat << MD
<!-- tracing-bench:start -->
### Tracing: every request traced and exported, against the same proxy without it (scripts/bench-features.sh)

Same run, same cores. Traced: \`callbacks: ["prometheus", "otel"]\`, every request sampled (a server span and its
auth, router, litellm_request and spend_write children, with their GenAI attributes), exported over OTLP/HTTP
protobuf in batches to the upstream nginx (\`/v1/traces\` answered 200); spans the 100 % proxy lost: $LOST. Sampled:
\`OTEL_TRACES_SAMPLER=parentbased_traceidratio\`, \`OTEL_TRACES_SAMPLER_ARG=0.1\`. Both answer the same
request every time (no cache). CPU per request: the proxy's user + system time over its c=64 runs.

| path | c=1 added p50 | c=64 RPS | vs untraced | CPU per request | vs nginx's RPS |
|---|---|---|---|---|---|
| nginx reverse proxy | $(added nginx) µs | ${RPS[nginx]} | — | — | 1.00 |
| ours, tracing off | $(added plain) µs | ${RPS[plain]} | 1.00 | ${CPU[plain]} µs | $(ratio "${RPS[plain]}" "${RPS[nginx]}") |
| ours, tracing on (100 %) | $(added traced) µs | ${RPS[traced]} | $(ratio "${RPS[traced]}" "${RPS[plain]}") | ${CPU[traced]} µs | $(ratio "${RPS[traced]}" "${RPS[nginx]}") |
| ours, tracing on (10 % sampled) | $(added sampled) µs | ${RPS[sampled]} | $(ratio "${RPS[sampled]}" "${RPS[plain]}") | ${CPU[sampled]} µs | $(ratio "${RPS[sampled]}" "${RPS[nginx]}") |
<!-- tracing-bench:end -->
MD
)
echo "$TABLE"
echo "$TRACING"
python3 - "$OUT" "$TABLE" "$TRACING" << 'PY'
import re, sys
path, blocks = sys.argv[1], sys.argv[2:]
text = open(path).read()
for block in blocks:
    name = re.match(r"<!-- ([a-z-]+):start -->", block).group(1)
    pattern = re.compile(f"<!-- {name}:start -->.*?<!-- {name}:end -->", re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
