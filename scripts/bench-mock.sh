#!/usr/bin/env bash
# Mock server throughput: `dspec mock` (release build) under wrk with keep-alive on loopback,
# against two Python keep-alive servers measured in the same run, so the figure can be read
# relative to the machine it ran on: a minimal asyncio responder (no real HTTP parsing: a
# floor for "answer bytes on a socket") and the standard library's http.server.
#
# Usage: scripts/bench-mock.sh [DURATION_SECONDS] [CONNECTIONS]
# Target (issue #6): at least 20,000 requests per second for the mock on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

DURATION="${1:-5}"
CONNECTIONS="${2:-32}"
SCRATCH="${SCRATCH:-.build-bench-mock}"
TMP="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null 2>&1; then
  echo "== installing wrk"
  if ! apt-get install -y -qq wrk >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  fi
fi

echo "== swift build -c release --product dspec"
swift build -c release --scratch-path "$SCRATCH" --product dspec 2>&1 | tail -n 1
DSPEC="$SCRATCH/release/dspec"

# A trivial scenario: every request gets 200 with a small JSON body.
cat > "$TMP/ok.json" <<'JSON'
{"name": "bench", "default": {"status": 200, "body": {"ok": true}}}
JSON

# Waits for the first line of a file (the server's printed address).
wait_for_line() {
  for _ in $(seq 1 100); do
    if [ -s "$1" ]; then head -n 1 "$1"; return 0; fi
    sleep 0.1
  done
  echo "server did not start" >&2
  return 1
}

# Runs wrk against URL; prints the wrk report and sets RPS.
run_wrk() {
  local label="$1" url="$2"
  # Warm-up, then the measured run.
  wrk -t2 -c"$CONNECTIONS" -d1s "$url" >/dev/null
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url" | tee "$TMP/$label.wrk"
  RPS="$(awk '/^Requests\/sec:/ {print $2}' "$TMP/$label.wrk")"
  if grep -q "Non-2xx" "$TMP/$label.wrk"; then echo "warning: $label answered non-2xx responses" >&2; fi
}

echo "== dspec mock (--quiet: no per-request log line)"
"$DSPEC" mock --scenario "$TMP/ok.json" --port 0 --quiet > "$TMP/mock.addr" 2> "$TMP/mock.err" &
PIDS+=($!)
MOCK_URL="$(wait_for_line "$TMP/mock.addr")"
run_wrk mock "$MOCK_URL/v1/events"
MOCK_RPS="$RPS"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

echo "== dspec mock (logging every request to stderr, redirected to /dev/null)"
"$DSPEC" mock --scenario "$TMP/ok.json" --port 0 > "$TMP/mock2.addr" 2> /dev/null &
PIDS+=($!)
MOCK2_URL="$(wait_for_line "$TMP/mock2.addr")"
run_wrk mocklog "$MOCK2_URL/v1/events"
MOCK_LOG_RPS="$RPS"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

echo "== Python baseline: minimal asyncio HTTP/1.1 keep-alive server"
cat > "$TMP/baseline.py" <<'PY'
import asyncio, socket, sys

BODY = b'{"ok":true}'
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)

class Handler(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""
    def data_received(self, data):
        self.buffer += data
        out = []
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            # Requests from wrk carry no body; honour Content-Length anyway.
            head = self.buffer[:end].lower()
            length = 0
            i = head.find(b"content-length:")
            if i >= 0:
                length = int(head[i + 15:].split(b"\r\n", 1)[0])
            if len(self.buffer) < end + 4 + length:
                break
            self.buffer = self.buffer[end + 4 + length:]
            out.append(RESPONSE)
        if out:
            self.transport.write(b"".join(out))

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Handler, "127.0.0.1", 0)
    print("http://127.0.0.1:%d" % server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()

asyncio.run(main())
PY
python3 "$TMP/baseline.py" > "$TMP/py.addr" 2> "$TMP/py.err" &
PIDS+=($!)
PY_URL="$(wait_for_line "$TMP/py.addr")"
run_wrk python "$PY_URL/v1/events"
PY_RPS="$RPS"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

echo "== Python baseline 2: http.server (ThreadingHTTPServer, protocol HTTP/1.1 keep-alive)"
cat > "$TMP/httpserver.py" <<'PY'
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = b'{"ok":true}'

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without TCP_NODELAY every response would wait
    # for a delayed ACK (40 ms), which would make the baseline meaninglessly slow.
    disable_nagle_algorithm = True
    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)
    do_GET = do_POST = _answer
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print("http://127.0.0.1:%d" % server.server_address[1], flush=True)
server.serve_forever()
PY
python3 "$TMP/httpserver.py" > "$TMP/hs.addr" 2> "$TMP/hs.err" &
PIDS+=($!)
HS_URL="$(wait_for_line "$TMP/hs.addr")"
run_wrk httpserver "$HS_URL/v1/events"
HS_RPS="$RPS"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

echo
echo "== Summary (wrk -t2 -c$CONNECTIONS -d${DURATION}s, keep-alive, loopback, $(nproc) cores)"
awk -v m="$MOCK_RPS" -v l="$MOCK_LOG_RPS" -v p="$PY_RPS" -v h="$HS_RPS" 'BEGIN {
  printf "dspec mock:                 %10.0f req/s\n", m
  printf "dspec mock (logging):       %10.0f req/s\n", l
  printf "python asyncio baseline:    %10.0f req/s   (mock / asyncio:     %.2fx)\n", p, m / p
  printf "python http.server:         %10.0f req/s   (mock / http.server: %.2fx)\n", h, m / h
  printf "target >= 20000 req/s:      %s\n", (m >= 20000 ? "met" : "NOT met")
}'
