#!/usr/bin/env python3
"""Writes the committed seed corpora fuzz/corpus/TARGET and dictionaries fuzz/dict/TARGET.dict
(see fuzz/README.md) from the repository's own inputs: the example specs, their settings,
secrets and events, the invalid specs, the golden fixtures, the mock's malformed-request
corpus and hand-written edge cases. Deterministic: rerunning it rewrites the same files.

  fuzz/make-seeds.py [--dspec PATH]   (PATH: a built dspec, for the plan corpus; default
                                       .build/debug/dspec; without it the plan corpus keeps
                                       only the hand-written plans)
"""
import glob, hashlib, json, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
DICT = os.path.join(ROOT, "fuzz", "dict")
MAX_SEED = 16384  # fuzz/run's -max_len

def rel(*p): return os.path.join(ROOT, *p)

def write(target, data, name=None):
    if isinstance(data, str): data = data.encode()
    if len(data) > MAX_SEED: return
    d = os.path.join(CORPUS, target); os.makedirs(d, exist_ok=True)
    name = name or hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f: f.write(data)

def load(path):
    with open(path, "rb") as f: return f.read()

examples = sorted(p for p in glob.glob(rel("specs/examples/*.json")) if not any(s in p for s in (".settings.", ".secrets.", ".suite.")))
invalid = sorted(p for p in glob.glob(rel("specs/invalid/*.json")) if not p.endswith(".expected.json"))

def stem(p): return os.path.basename(p)[:-len(".json")]
def companion(p, kind):
    q = p[:-len(".json")] + "." + kind
    return q if os.path.exists(q) else None
def events(p, n=3):
    q = companion(p, "events.ndjson")
    if not q: return []
    lines = [l for l in load(q).decode().splitlines() if l.strip()]
    return [json.loads(l) for l in lines[:n]]

def clean(target):
    # Removes this script's seeds; keeps inputs `fuzz/run merge` added (libFuzzer names them by
    # their 40-hex-digit SHA-1, which no seed name here is).
    d = os.path.join(CORPUS, target)
    if os.path.isdir(d):
        for f in os.listdir(d):
            if not (len(f) == 40 and all(c in "0123456789abcdef" for c in f)): os.remove(os.path.join(d, f))

TARGETS = ["json", "spec", "template", "mapping", "encoders", "plan", "mock-request", "response", "resp", "retry-after", "rate-limit", "openapi"]
for t in TARGETS: clean(t)

# --- json: the example specs and companions, plus parser edge cases.
for p in examples:
    write("json", load(p), stem(p))
    for kind in ("settings.json", "secrets.json", "suite.json"):
        q = companion(p, kind)
        if q: write("json", load(q), os.path.basename(q))
    for i, e in enumerate(events(p, 2)): write("json", json.dumps(e), f"{stem(p)}.event{i}")
for i, s in enumerate([
    b'{"a":1,"a":2}', b'[' * 130 + b']' * 130, b'"\\ud83d\\ude00 \\u0000 \\ud800"', b'-0.0e-00', b'1e999999999999',
    b'123456789012345678901234567890', b'{"k":"\xff\xfe"}', b'\xef\xbb\xbf{}', b'[1,2,]', b'{"a" 1}', b'nul', b'"\\x"',
    b'{"\xc3\xa9":"\xe2\x82\xac\xf0\x9f\x98\x80"}', b'  \t\r\n 0 ', b'[-]', b'[01]', b'{"a":[{"b":{"c":[null,true,false]}}]}',
]): write("json", s, f"edge{i:02}")

# --- spec: every example and every invalid spec (the lint pipeline's own cases).
for p in examples: write("spec", load(p), stem(p))
for p in invalid: write("spec", load(p), "invalid-" + stem(p))

# --- template and mapping: every template string and mapping in the examples.
MODES = ["json", "text", "header", "url", "plain"]  # TemplateMode.allCases order
def walk(v, path):
    if isinstance(v, dict):
        for k, x in v.items(): yield from walk(x, path + [k])
    elif isinstance(v, list):
        for x in v: yield from walk(x, path)
    else: yield path, v
def mode_for(path):
    joined = "/".join(map(str, path))
    if "headers" in path or path[-1] in ("header", "value"): return "header"
    if path[-1] == "url" or "query" in path: return "url"
    if "template" in path or "body" in path or "wrapper" in path or "envelope" in path: return "json"
    return "text"
templates = set()
for p in examples:
    spec = json.loads(load(p))
    evs = events(p, 1)
    ev = json.dumps(evs[0]).encode() if evs else b""
    for path, v in walk(spec, []):
        if isinstance(v, str) and "{{" in v and path and path[0] not in ("description", "x-notes"):
            m = mode_for(path)
            templates.add((MODES.index(m), v.encode(), ev))
    mapping = spec.get("payload", {}).get("mapping")
    if mapping is not None:
        write("mapping", json.dumps(mapping).encode() + (b"\0" + ev if ev else b""), stem(p))
for mode, t, ev in sorted(templates):
    write("template", bytes([mode]) + t + (b"\0" + ev if ev else b""))
hand_templates = [
    "{{#each tags}}{{@index}}:{{this}}{{#unless @last}},{{/unless}}{{/each}}", "{{#if ok}}{{n}}{{else if none}}x{{else}}y{{/if}}",
    "{{#with props}}{{k}} {{../user_id}} {{@root.event}}{{/with}}", "{{> p}} {{> rec props}}", "{{{text}}} {{text}}",
    "{{~ n ~}} {{!-- comment --}} {{! c }}", "{{{{raw}}}} {{x}} {{{{/raw}}}}", "{{#props}}{{k}}{{/props}}{{^none}}no{{/none}}",
    "{{lookup props \"k\"}} {{json props}} {{default none \"d\"}}", "{\"a\": {{n}}, \"b\": \"{{text}}\", \"c\": {{props}}}",
    "https://x.test/u/{{user_id}}?q={{text}}&t={{{@settings.base}}}", "Bearer {{@secrets.key}}", "{{@settings.region}}",
    "{{lookup_table \"t\" text}} {{lookup_table \"p\" (lookup_table \"t\" n)}} {{@sent_at}}",
]
for t in hand_templates:
    for m in range(len(MODES)): write("template", bytes([m]) + t.encode())
write("mapping", b'{"a":{"@each":"tags","@map":{"v":{"@path":"$"}}},"b":{"@value":1},"c":{"@template":"{{n}}"}}')
write("mapping", b'{"x":{"@path":"props.nested.x","@transform":"lowercase","@default":[]},"y":{"@path":"price","@type":"string"}}')
write("mapping", b'{"@drop_empty":true,"o":{"@when":{"path":"n","exists":true},"e":{},"l":[[]]},"k":{"@path":"text","@lookup":"t"},'
      b'"a":[{"@when":[{"path":"n","in":[1]}],"v":"{{lookup_table \\"p\\" text}}"}],"s":{"@path":"@sent_at","@transform":"unix_ms","@drop_empty":false}}')

# --- encoders: text and JSON objects for form bodies.
for s in ["hello world", "a+b=c&d", "\u00e9\u20ac\U0001F600", "~-._*!'()[]", "", "%2F%zz", "line\r\nbreak\0nul"]:
    write("encoders", s.encode())
write("encoders", b"\xff\xfe\x80 invalid utf8 \xc3")
write("encoders", b'{"a":"b c","n":1.50,"t":true,"z":null,"o":{"k":"v","l":[1,{"m":"&="}]},"e":{},"ea":[]}')
for p in examples[:4]:
    evs = events(p, 1)
    if evs: write("encoders", json.dumps(evs[0]), stem(p) + ".event")

# --- plan: compiled example plans as bundles with settings, secrets and events.
dspec = sys.argv[sys.argv.index("--dspec") + 1] if "--dspec" in sys.argv else rel(".build/debug/dspec")
if os.path.exists(dspec):
    for p in examples:
        r = subprocess.run([dspec, "compile", p], capture_output=True)
        if r.returncode != 0 or not r.stdout.strip().startswith(b"{"):
            print(f"make-seeds: dspec compile {stem(p)} failed: {r.stderr.decode()[:200]}", file=sys.stderr); continue
        plan = json.loads(r.stdout)
        write("plan", json.dumps(plan, separators=(",", ":")), stem(p))
        bundle = {"plan": plan, "events": events(p, 3)}
        for kind in ("settings", "secrets"):
            q = companion(p, kind + ".json")
            if q: bundle[kind] = json.loads(load(q))
        write("plan", json.dumps(bundle, separators=(",", ":")), stem(p) + ".bundle")
else:
    print(f"make-seeds: no dspec at {dspec}: the plan corpus has no compiled plans", file=sys.stderr)
write("plan", b'{"plan":{}, "events":[{}]}', "empty-bundle")

# --- mock-request: the golden fixtures as HTTP/1.1 requests, framing variants, and the
# malformed-request corpus of Tests/DSMockTests/MalformedCorpusTests.swift.
def request(method, target, headers, body, chunked=False):
    head = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
    for k, v in headers: head += f"{k}: {v}\r\n"
    if chunked:
        head += "Transfer-Encoding: chunked\r\n\r\n"
        out = head.encode()
        for i in range(0, len(body), 97): out += b"%x\r\n" % len(body[i:i+97]) + body[i:i+97] + b"\r\n"
        return out + b"0\r\nX-Trailer: t\r\n\r\n"
    if body or method in ("POST", "PUT", "PATCH"): head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body
for i, f in enumerate(sorted(glob.glob(rel("fixtures/*/*.json")))):
    fx = json.loads(load(f))
    if not isinstance(fx, dict) or "method" not in fx: continue
    url = fx["url"]; target = "/" + url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url
    body = fx.get("body")
    body = b"" if body is None else (body.encode() if isinstance(body, str) else json.dumps(body, separators=(",", ":")).encode())
    name = os.path.basename(os.path.dirname(f)) + "-" + stem(f)
    write("mock-request", request(fx["method"], target, fx.get("headers", []), body, chunked=(i % 3 == 0)), name)
write("mock-request", request("GET", "/a", [], b"") + request("POST", "/b", [("Expect", "100-continue")], b"xyz"), "pipelined")
write("mock-request", b"POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", "http10")
malformed = [
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Le", "\x01\x02\x03garbage\r\n\r\n", "GET / http/1.1\r\nHost: x\r\n\r\n",
    "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", "GET HTTP/1.1\r\nHost: x\r\n\r\n", "GET foo HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n", "\0" * 64 + "\r\n\r\n",
    "GET / HTTP/1.1\r\nHost : x\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  b\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nJustAName\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\n" + "A: b\r\n" * 40 + "\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nabc\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffff\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\x01\r\nabc\r\n0\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nabcde", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n",
    "GET / HTTP/9.9\r\nHost: x\r\n\r\n", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "\r\n" * 50, "G" * 2000,
]
for i, m in enumerate(malformed): write("mock-request", m.encode("latin-1"), f"malformed{i:02}")

# --- response: what a server sends (first byte picks the method: 0 GET, 1 POST, 2 HEAD, 3 PUT).
responses = [
    (1, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"),
    (1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n"),
    (1, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"),
    (1, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Length: 2\r\n\r\n{}"),
    (1, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: Sun, 06 Nov 1994 08:49:37 GMT\r\nConnection: close\r\n\r\nbusy"),
    (0, "HTTP/1.0 200 OK\r\n\r\nclose-delimited body"), (2, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"),
    (1, "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"), (0, "HTTP/1.1 304 Not Modified\r\n\r\n"),
    (1, "HTTP/1.1 200 OK\nContent-Length: 2\n\nok"), (1, "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok"),
    (1, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok"), (1, "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok"),
    (1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"), (1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc"),
    (1, "HTTP/1.1 101 Switching Protocols\r\n\r\n"), (1, "HTTP/2 200\r\n\r\n"), (1, "HTTP/1.1 2000 OK\r\n\r\n"),
    (1, "HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n"), (1, "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n"),
    (1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\n"),
    (1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n"),
    (1, "HTTP/1.1 207 Multi-Status\r\nContent-Length: 46\r\n\r\n{\"errors\":[{\"index\":0,\"message\":\"bad event\"}]}"),
]
for i, (m, r) in enumerate(responses): write("response", bytes([m]) + r.encode(), f"response{i:02}")

# --- resp: what a Redis server sends (RESP2 replies dspec reads: XREADGROUP, XAUTOCLAIM, XPENDING, errors).
resp_replies = [
    b"+OK\r\n", b"+PONG\r\n", b"-BUSYGROUP Consumer Group name already exists\r\n", b":42\r\n", b":-1\r\n", b"$-1\r\n", b"*-1\r\n",
    b"$5\r\nhello\r\n", b"$0\r\n\r\n", b"*0\r\n",
    b"*1\r\n*2\r\n$6\r\nevents\r\n*1\r\n*2\r\n$15\r\n1700000000000-0\r\n*2\r\n$5\r\nevent\r\n$13\r\n{\"type\":\"x\"}\r\n",
    b"*3\r\n$3\r\n0-0\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*-1\r\n*1\r\n$3\r\n2-0\r\n",
    b"*1\r\n*4\r\n$3\r\n1-0\r\n$2\r\nw1\r\n:1500\r\n:3\r\n",
    b"+OK\r\n:1\r\n$3\r\nabc\r\n", b"$99999999999\r\n", b"*99999999999\r\n", b":99999999999999999999\r\n", b"+a\nb\r\n",
    b"$3\r\nabcd\r\n", b"%1\r\n+a\r\n+b\r\n", b"*1\r\n" * 20 + b":1\r\n", b":-0\r\n", b"$03\r\nabc\r\n",
]
for i, r in enumerate(resp_replies): write("resp", r, f"reply{i:02}")

# --- retry-after: header values.
for i, v in enumerate(["120", "0", "  7 ", "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
                       "Thu, 01 Jan 2099 00:00:00 GMT", "99999999999999999999999", "-1", "1.5", "Fri, 31 Dec 9999 23:59:60 GMT",
                       "Mon, 00 Jan 0000 00:00:00 GMT", "Wed Feb 29 12:00:00 2028", ""]):
    write("retry-after", v, f"value{i:02}")

# --- rate-limit: mode byte, reset NUL remaining-or-RateLimit NUL RateLimit-Policy.
rate_limit_seeds = [
    (0, "30", "0", None), (1, "1767225630", "0", None), (2, "1767225630000", "0", None), (8, "7", "0", None), (8, "7", "5", None),
    (16, "2.5", "", None), (24, "1.0001", "00", None), (4, "", '"default";r=0;t=30', '"default";q=100;w=60'),
    (4, "", '"day";r=0', '"burst";q=100;w=60, "day";q=1000;w=86400'), (4, "", '"a";r=5;t=1, "b";r=0;t=20', None),
    (4, "", '"default";r=0;t=30,', None), (4, "", 'x;r=0;t=3, (a b);c=?1, :AQI=:, @12, 1.5, "s\\\"q"', None),
    (12, "99999999999999999999999", '"default";r=0;t=999999999999999', None), (5, "-1", '"p";r=-0;t=-5', '"p";w=-1'),
]
for i, (m, reset, remaining, policy) in enumerate(rate_limit_seeds):
    value = bytes([m]) + reset.encode() + b"\0" + remaining.encode() + (b"\0" + policy.encode() if policy is not None else b"")
    write("rate-limit", value, f"value{i:02}")

# --- openapi: an OpenAPI document, optionally NUL and a request body.
openapi_docs = [load(p) for p in sorted(glob.glob(rel("specs/catalog/contracts/*.openapi.json")) + glob.glob(rel("specs/examples/contracts/*.openapi.json")))]
small = lambda version, op: json.dumps({"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {"/v1/events": {"post": op}}}, sort_keys=True)
body_op = lambda schema: {"operationId": "track", "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
openapi_small = [
    small("3.1.0", body_op({"type": "object", "required": ["event"], "properties": {"event": {"type": "string"}}})),
    small("3.0.3", body_op({"type": "object", "nullable": True, "properties": {"n": {"type": "integer", "minimum": 0, "exclusiveMinimum": True}}})),
    small("3.0.3", {"operationId": "q", "parameters": [{"name": "api_key", "in": "query", "required": True, "schema": {"type": "string"}},
                                                      {"name": "X-Api-Key", "in": "header", "schema": {"type": "integer"}}]}),
    json.dumps({"openapi": "3.1.0", "paths": {"/a": {"post": body_op({"$ref": "#/components/schemas/A"})}},
                "components": {"schemas": {"A": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/A"}}}}}}, sort_keys=True),
    json.dumps({"openapi": "3.0.0", "paths": {"/a": {"parameters": [{"$ref": "#/components/parameters/P"}], "post": {"operationId": "a"}}},
                "components": {"parameters": {"P": {"$ref": "#/components/parameters/P"}}}}, sort_keys=True),
    small("3.1.0", {"requestBody": {"content": {"application/x-ndjson": {"schema": {"type": "object"}}, "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "integer"}}}}}}}}),
    small("2.0", {}), '{"openapi": "3.1.0"}', '{"swagger": "2.0", "paths": {}}',
]
bodies = [None, b'{"event":"x"}', b'{"n":0}', b'a=1&a=2', b'{"x":1}\n{"y":2}\n', b'[]', b'not json']
clean("openapi")
for i, d in enumerate(openapi_docs): write("openapi", d, f"vendor{i:02}")
for i, d in enumerate(openapi_small):
    for j, b in enumerate(bodies[:4] if i < 6 else bodies[:1]):
        write("openapi", d.encode() + (b"\0" + b if b is not None else b""), f"doc{i:02}-body{j}")

# --- dictionaries.
def dict_file(name, tokens):
    os.makedirs(DICT, exist_ok=True)
    with open(os.path.join(DICT, name + ".dict"), "w") as f:
        for t in sorted(set(tokens)):
            f.write('"' + "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "\\x%02x" % ord(c) for c in t) + '"\n')
json_tokens = ["{", "}", "[", "]", ":", ",", "\"", "true", "false", "null", "-0", "1e308", "\\u0000", "\\ud83d\\ude00", "\\\"", "0.5E-3"]
keys = set()
for p in examples:
    for path, _ in walk(json.loads(load(p)), []):
        keys.update(str(k) for k in path if isinstance(k, str) and len(k) < 40)
spec_tokens = json_tokens + ['"%s"' % k for k in keys] + ["{{", "}}", "{{@secrets.", "{{@settings.", "@path", "@each", "@transform", "5xx", "4xx"]
http_tokens = ["HTTP/1.1", "HTTP/1.0", "\r\n", "\r\n\r\n", "Content-Length: ", "Transfer-Encoding: chunked", "Connection: close",
               "Connection: keep-alive", "Expect: 100-continue", "Host: ", ";ext=", "0\r\n\r\n", "Retry-After: ", " 200 OK", " 100 Continue"]
dict_file("json", json_tokens)
dict_file("spec", spec_tokens)
dict_file("plan", spec_tokens)
dict_file("template", ["{{", "}}", "{{{", "}}}", "{{#if ", "{{#each ", "{{#with ", "{{#unless ", "{{/if}}", "{{/each}}", "{{else}}", "{{else if ",
                       "{{>", "{{!--", "--}}", "{{~", "~}}", "@index", "@key", "@first", "@last", "@root", "../", "this", "@settings.", "@secrets.", "lookup", "lookup_table", "@sent_at", "json", "default", "=", "\"", "\0"])
dict_file("mapping", json_tokens + ['"%s"' % d for d in ["@path", "@value", "@template", "@each", "@map", "@default", "@transform", "@type", "@when", "@batch", "equals", "path", "@lookup", "@drop_empty", "@sent_at"]])
dict_file("mock-request", http_tokens + ["GET ", "POST ", "PUT ", "HEAD ", " / "])
dict_file("response", http_tokens)
dict_file("openapi", json_tokens + ['"%s"' % k for k in ["openapi", "3.0.3", "3.1.0", "paths", "post", "get", "operationId", "parameters", "in", "query", "header", "requestBody", "content", "application/json", "schema", "$ref", "#/components/schemas/", "components", "nullable", "exclusiveMinimum", "required", "properties", "items", "type", "object", "array", "string", "integer", "allOf", "oneOf", "anyOf"]])
TARGETS = ["json", "spec", "template", "mapping", "encoders", "plan", "mock-request", "response", "resp", "retry-after", "rate-limit", "openapi"]
dict_file("retry-after", ["GMT", "Sun, ", "Sunday, ", "Nov", "Feb", " 1994", "-94", "08:49:37", "60", "31", "29"])
total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(CORPUS) for f in fs)
print(f"make-seeds: {sum(len(fs) for _, _, fs in os.walk(CORPUS))} seeds, {total} bytes")
