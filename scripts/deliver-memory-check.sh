#!/usr/bin/env bash
# Memory bound of `dspec deliver` (issue #5): delivers 1,000,000 small events from a file
# and reports the maximum resident set size, which must stay under 100 MB.
#
#   scripts/deliver-memory-check.sh [EVENTS]      (default 1000000)
#
# Two runs: (1) --dry-run, one event per request, 1M requests printed to /dev/null (the
# render path alone); (2) a real delivery in 100-event batches to a loopback HTTP sink
# (python3 http.server with keep-alive), so the transport, retry and ledger paths count too.
# Max RSS is read from /usr/bin/time -v.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
LIMIT_KB=$((100 * 1024))
WORK="$(mktemp -d)"
trap 'kill ${SINK_PID:-} 2>/dev/null || true; rm -rf "$WORK"' EXIT

swift build -c release --scratch-path .build-runtime --product dspec >/dev/null
DSPEC="$(swift build -c release --scratch-path .build-runtime --show-bin-path)/dspec"

python3 - "$WORK/events.ndjson" "$N" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write('{"type":"track","event":"Signed Up","event_id":"evt-%d","user_id":"u-%d","timestamp":"2026-01-01T00:00:00Z","properties":{"plan":"pro","n":%d}}\n' % (i, i % 1000, i))
PY
echo "events: $N ($(du -h "$WORK/events.ndjson" | cut -f1))"

cat > "$WORK/sink.py" <<'PY'
import http.server, sys
class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        # One write for the whole answer: separate small writes stall on delayed ACKs.
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
    def log_message(self, *a): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
python3 "$WORK/sink.py" > "$WORK/port" &
SINK_PID=$!
for _ in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
PORT="$(cat "$WORK/port")"

spec() {  # $1 = extra blocks
  cat > "$WORK/memcheck.json" <<JSON
{"dspec": 1, "name": "memcheck", "secrets": {"api_token": {}},
 "endpoint": {"url": "http://127.0.0.1:$PORT/ingest"},
 "auth": {"type": "bearer", "token": "{{@secrets.api_token}}"},
 "payload": {"format": "json", "mapping": {"event": {"@path": "event"}, "id": {"@path": "event_id"}, "user": {"@path": "user_id"}, "props": {"@path": "properties"}}}
 $1}
JSON
}
echo '{"api_token": "memcheck-token"}' > "$WORK/secrets.json"

status=0
run() {  # $1 = label, rest = dspec args
  local label="$1"; shift
  /usr/bin/time -v "$DSPEC" deliver "$WORK/memcheck.json" --events "$WORK/events.ndjson" --secrets "$WORK/secrets.json" "$@" \
      > "$WORK/out" 2> "$WORK/time" || true
  local rss; rss="$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$WORK/time")"
  local wall; wall="$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$WORK/time")"
  printf '%-44s max RSS %6d MB  wall %s  %s\n' "$label" $((rss / 1024)) "$wall" "$(tail -c 300 "$WORK/out" | tail -1)"
  [ "$rss" -lt "$LIMIT_KB" ] || { echo "  FAIL: over 100 MB"; status=1; }
}
spec ""
run "dry run, 1 event per request" --dry-run
spec ', "batching": {"max_events": 100, "max_wait_ms": 1000}'
run "loopback sink, 100-event batches" --format json --concurrency 8
exit $status
