#!/usr/bin/env bash
# The response cache's benchmark, on release builds, side by side with nginx in the same run: a hit (the same
# request again, answered from the proxy's in-memory cache) and a miss (every request a new prompt: a lookup, the
# upstream call and a store) against nginx as a plain reverse proxy to the same upstream. The process under test is
# pinned to CPU 0; wrk and the upstream (nginx answering the seed's body) to the other cores. Alternated rounds;
# medians. Replaces the block between the cache-bench markers in docs/benchmarks.md (BENCH_OUT) and prints it.
#
#   scripts/bench-cache.sh
#   BENCH_SKIP_BUILD=1 BENCH_BIN=/path/to/release BENCH_DURATION=5 BENCH_ROUNDS=3 scripts/bench-cache.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-8}
ROUNDS=${BENCH_ROUNDS:-3}
OUT=${BENCH_OUT:-docs/benchmarks.md}
UP_PORT=18281 NGX_PORT=18282 OURS_PORT=18283 OFF_PORT=18284
for tool in wrk nginx taskset curl; do
  command -v "$tool" > /dev/null || { echo "bench-cache: needs $tool (apt-get install -y wrk nginx)" >&2; exit 2; }
done
NCPU=$(nproc)
[ "$NCPU" -ge 2 ] || { echo "bench-cache: needs 2 cores (one for the proxy, one for the load)" >&2; exit 2; }
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
case "$SEED" in *"'"* | *'$'* | *'\'*) echo "bench-cache: the seed's body has ' \$ or \\ (nginx)" >&2; exit 1 ;; esac
cat > "$WORK/nginx.conf" << NGINX
daemon off; worker_processes 1; pid $WORK/nginx.pid; error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off; client_body_temp_path $WORK/body;
  server { listen 127.0.0.1:$UP_PORT; keepalive_requests 1000000; default_type application/json;
    location / { return 200 '$SEED'; } }
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
# The same proxy without a cache: what a miss adds to a request.
grep -v -e '^  cache' "$WORK/config.yaml" > "$WORK/config-off.yaml"
for port in $OURS_PORT $OFF_PORT; do
  config="$WORK/config.yaml"
  [ $port = $OURS_PORT ] || config="$WORK/config-off.yaml"
  taskset -c 0 "$BIN/proxy" --config "$config" --port $port --host 127.0.0.1 > "$WORK/proxy-$port.log" 2>&1 &
  PIDS+=($!)
done
ready $UP_PORT / && ready $NGX_PORT / && ready $OURS_PORT /health/liveliness && ready $OFF_PORT /health/liveliness

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
[ "$HIT" = 1 ] || { echo "bench-cache: the second request was not a cache hit" >&2; exit 1; }

declare -A URL SCRIPT
URL[direct]="http://127.0.0.1:$UP_PORT$AZURE_PATH" SCRIPT[direct]=same
URL[nginx]="http://127.0.0.1:$NGX_PORT$AZURE_PATH" SCRIPT[nginx]=same
URL[hit]="http://127.0.0.1:$OURS_PORT/chat/completions" SCRIPT[hit]=same
URL[miss]="http://127.0.0.1:$OURS_PORT/chat/completions" SCRIPT[miss]=new
URL[off]="http://127.0.0.1:$OFF_PORT/chat/completions" SCRIPT[off]=new
run() { # name conns round [wrk options]
  local out="$WORK/$1-c$2-$3.txt"
  taskset -c "$LOAD_CPUS" wrk -t1 -c"$2" -d"${DURATION}s" "${@:4}" -s "$WORK/${SCRIPT[$1]}.lua" "${URL[$1]}" > "$out"
  ! grep -q "Non-2xx" "$out" || { echo "bench-cache: errors from $1" >&2; cat "$out" >&2; exit 1; }
}
micros() { awk -v p="$1" '$1 == p { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
  f = (u == "ms") ? 1000 : (u == "s") ? 1e6 : 1; printf "%.0f\n", v * f }' "$2"; }
median() { tr ' ' '\n' <<< "$*" | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "== $ROUNDS rounds of ${DURATION}s: c=1 latency and c=64 throughput; under test on CPU 0" >&2
for round in $(seq 1 "$ROUNDS"); do
  for name in direct nginx off hit miss; do run $name 1 "$round" --latency; done
  for name in nginx off hit miss; do run $name 64 "$round"; done
done
declare -A P50 RPS
for name in direct nginx off hit miss; do
  P50[$name]=$(median $(for r in $(seq 1 "$ROUNDS"); do micros 50% "$WORK/$name-c1-$r.txt"; done))
done
for name in nginx off hit miss; do
  RPS[$name]=$(median $(for r in $(seq 1 "$ROUNDS"); do awk '/Requests\/sec/ { printf "%.0f\n", $2 }' \
    "$WORK/$name-c64-$r.txt"; done))
done
added() { echo $((P50[$1] - P50[direct])); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
TABLE=$(cat << MD
<!-- cache-bench:start -->
### Response cache: a hit and a miss against nginx (scripts/bench-cache.sh)

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
echo "$TABLE"
python3 - "$OUT" "$TABLE" << 'PY'
import re, sys
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
pattern = re.compile(r"<!-- cache-bench:start -->.*?<!-- cache-bench:end -->", re.S)
text = pattern.sub(lambda _: table, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + table + "\n"
open(path, "w").write(text)
PY
