#!/usr/bin/env python3
"""Helper of bench/run (issue 16): prepares the shared inputs, runs the Python peers, and
writes docs/benchmarks.md from the recorded results. Not meant to be run by hand; see
`bench/run --help`.

  peers.py prepare DIR ROOT              inputs for every pair
  peers.py templates DIR RUNS SECONDS    pybars3, chevron, dict + json.dumps (outputs checked first)
  peers.py sign DIR RUNS SECONDS         Python json + hmac of the Custom Webhook request
  peers.py requests URL N BODYFILE       a requests.Session loop: prints requests/s
  peers.py report RESULTS OUT            docs/benchmarks.md
"""
import glob, hashlib, hmac, json, os, re, statistics, sys, time


def prepare(d, root):
    os.makedirs(d, exist_ok=True)
    fx = os.path.join(root, "Tests/DSTemplateTests/Fixtures")
    spec = json.load(open(os.path.join(fx, "benchmark-template.json")))
    event = json.load(open(os.path.join(fx, "benchmark-event.json")))
    # Handlebars peers HTML-escape; dspec's JSON mode JSON-escapes. The same bytes come out of
    # both only for values that need no escaping, so the title's quotes are dropped.
    event["context"]["page"]["title"] = event["context"]["page"]["title"].replace('"', "")
    open(os.path.join(d, "template.txt"), "w").write(spec["template"])
    json.dump(event, open(os.path.join(d, "template-event.json"), "w"))
    json.dump(spec["data"], open(os.path.join(d, "template-data.json"), "w"))
    # The peers' template: triple-stash (no escaping), @settings as a plain context key.
    peer = re.sub(r"\{\{@settings\.", "{{settings.", spec["template"])
    peer = re.sub(r"\{\{([^{}]+)\}\}", r"{{{\1}}}", peer)
    open(os.path.join(d, "template-peer.txt"), "w").write(peer)

    ex = os.path.join(root, "specs/examples")
    webhook = json.load(open(os.path.join(ex, "custom-webhook.json")))
    webhook.pop("$schema", None)
    webhook["config"]["batch_enabled"] = False  # one event per request
    json.dump(webhook, open(os.path.join(d, "webhook.json"), "w"), indent=2)
    json.dump(json.load(open(os.path.join(ex, "custom-webhook.secrets.json"))), open(os.path.join(d, "webhook-secrets.json"), "w"))
    events = [json.loads(l) for l in open(os.path.join(ex, "custom-webhook.events.ndjson")) if l.strip()]
    events = [e for e in events if e.get("type") == "track" and "total" in e.get("properties", {})]
    many = []
    for i in range(1000):
        e = json.loads(json.dumps(events[i % len(events)]))
        e["event_id"] = "evt-%d" % i
        e["properties"]["total"] = round(100 + (i % 900) + 0.95, 2)
        many.append(e)
    json.dump(many, open(os.path.join(d, "webhook-events.json"), "w"))

    # 1,000 spec files: the example specs (by content: the "dspec" marker or the Custom Webhook
    # form; not companions) repeated, next to the files they reference (contracts, tracking plans).
    import shutil
    lint = os.path.join(d, "lint")
    shutil.rmtree(lint, ignore_errors=True)
    shutil.copytree(ex, lint, ignore=lambda dirname, names: [n for n in names if n.endswith(".json") and dirname == ex])
    specs = []
    for p in sorted(glob.glob(os.path.join(ex, "*.json"))):
        if re.search(r"\.(events|settings|secrets|suite)\.json$", p):
            continue
        doc = json.load(open(p))
        if isinstance(doc, dict) and ("dspec" in doc or "integration" in doc):
            specs.append(p)
        else:
            shutil.copy(p, lint)
    for i in range(1000):
        src = specs[i % len(specs)]
        shutil.copy(src, os.path.join(lint, "%04d-%s" % (i, os.path.basename(src))))
    print("prepared %s: %d example specs x 1000 files, %d webhook events" % (d, len(specs), len(many)))


def rate_runs(name, runs, seconds, batch, fn):
    fn()
    for _ in range(runs):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            for _ in range(batch):
                fn()
            n += batch
        print("RESULT %s %f" % (name, n / (time.perf_counter() - start)), flush=True)


def templates(d, runs, seconds):
    import chevron, pybars
    from importlib.metadata import version
    peer = open(os.path.join(d, "template-peer.txt")).read()
    event = json.load(open(os.path.join(d, "template-event.json")))
    data = json.load(open(os.path.join(d, "template-data.json")))
    context = dict(event, settings=data["settings"])
    expected = open(os.path.join(d, "dspec-template.out"), "rb").read().decode()
    compiled = pybars.Compiler().compile(peer)
    outputs = {"pybars3": str(compiled(context)), "chevron": chevron.render(peer, context)}

    def by_hand():
        c, p, pr = event["context"], event["context"]["page"], event["properties"]
        return json.dumps({"event_type": event["event"], "type": event["type"], "message_id": event["message_id"],
                           "user_id": event["user_id"], "anonymous_id": event["anonymous_id"], "timestamp": event["timestamp"],
                           "page": {"url": p["url"], "title": p["title"], "referrer": p["referrer"]}, "ip": c["ip"],
                           "user_agent": c["user_agent"], "revenue": pr["total"], "currency": pr["currency"],
                           "order": {"id": pr["order_id"], "quantity": pr["quantity"]}, "region": data["settings"]["region"]})
    for name, out in outputs.items():
        if out != expected:
            sys.exit("%s output differs from dspec's:\n%s\n---\n%s" % (name, out, expected))
    if json.loads(by_hand()) != json.loads(expected):
        sys.exit("dict + json.dumps output differs (as JSON) from dspec's")
    print("CHECK template outputs equal: pybars3 and chevron byte for byte, dict + json.dumps as JSON")
    print("VERSION pybars3 %s" % version("pybars3"))
    print("VERSION chevron %s" % version("chevron"))
    print("VERSION json.dumps Python %s" % sys.version.split()[0])
    rate_runs("pybars3", runs, seconds, 100, lambda: str(compiled(context)))
    rate_runs("chevron", runs, seconds, 100, lambda: chevron.render(peer, context))
    rate_runs("json.dumps", runs, seconds, 100, by_hand)


def sign(d, runs, seconds):
    secret = json.load(open(os.path.join(d, "webhook-secrets.json")))["hmac_secret"].encode()
    body = open(os.path.join(d, "dspec-webhook.body"), "rb").read()
    sig = open(os.path.join(d, "dspec-webhook.sig")).read().strip()
    want = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    if sig != want:
        sys.exit("dspec's X-Signature-256 %r is not Python's HMAC of its body %r" % (sig, want))
    print("CHECK dspec's X-Signature-256 equals Python hmac of its body (%d bytes)" % len(body))
    print("BODYSIZE %d" % len(body))
    print("VERSION python %s" % sys.version.split()[0])
    events = json.load(open(os.path.join(d, "webhook-events.json")))
    state = {"i": 0}

    def one():
        e = events[state["i"] % len(events)]
        state["i"] += 1
        payload = json.dumps({"event_type": e["event"], "user": e["user_id"],
                              "data": {"page": e["context"]["page"]["url"], "revenue": e["properties"]["total"]}}).encode()
        headers = {"Content-Type": "application/json",
                   "X-Signature-256": "sha256=" + hmac.new(secret, payload, hashlib.sha256).hexdigest()}
        return payload, headers
    rate_runs("python_sign", runs, seconds, 100, one)


def requests_loop(url, n, bodyfile):
    import requests
    body = open(bodyfile, "rb").read()
    s = requests.Session()
    headers = {"Content-Type": "application/json"}
    s.post(url, data=body, headers=headers).raise_for_status()
    start = time.perf_counter()
    for _ in range(n):
        r = s.post(url, data=body, headers=headers)
        if r.status_code != 200:
            sys.exit("status %d" % r.status_code)
    print("RESULT requests %f" % (n / (time.perf_counter() - start)))
    print("VERSION requests %s" % requests.__version__)


def fmt(x):
    if x >= 100:
        return "{:,.0f}".format(x)
    if x >= 10:
        return "%.1f" % x
    return "%.3g" % x


def report(results, out):
    rows = [json.loads(l) for l in open(results) if l.strip()]
    meta = next(r for r in rows if r.get("kind") == "meta")
    lines = ["# Benchmarks: dspec side by side with the tools users would otherwise pick", "",
             "Generated by `bench/run%s` on %s. Do not edit by hand: rerun it (see the README)." % (meta.get("mode", ""), meta["date"]), "",
             "**Machine:** %s, %s cores (`nproc`), load average at start %s; %s. dspec %s, release build." %
             (meta["cpu"], meta["nproc"], meta["load"], meta["os"], meta["dspec"]), "",
             "Every figure is the median of the runs listed (min-max in brackets), all pairs measured in the same run on "
             "identical inputs. Absolute figures depend on the machine and its load; **the ratios are what to compare**. "
             "The ratio is dspec / peer for rates (higher is better for dspec) and peer time / dspec time for wall times.", ""]
    if meta.get("note"):
        lines += ["**Note on this run:** " + meta["note"], ""]
    pairs = []
    for r in rows:
        if r.get("kind") == "row" and r["pair"] not in pairs:
            pairs.append(r["pair"])
    for pair in pairs:
        group = [r for r in rows if r.get("kind") == "row" and r["pair"] == pair]
        info = next((r for r in rows if r.get("kind") == "pair" and r["pair"] == pair), {})
        lines += ["## " + info.get("title", pair), ""]
        if info.get("inputs"):
            lines += ["Inputs: " + info["inputs"], ""]
        lines += ["| tool | version | runs | median | min-max | unit | dspec ratio |", "|---|---|---|---|---|---|---|"]
        base = next((r for r in group if r.get("dspec")), None)
        for r in group:
            v = sorted(r["values"])
            med = statistics.median(v)
            ratio = ""
            if r.get("noratio"):
                ratio = "n/a"
            elif base is not None and r is not base:
                bm = statistics.median(base["values"])
                if med > 0 and bm > 0:
                    ratio = "%.2fx" % ((bm / med) if r.get("higher", True) else (med / bm))
            elif r is base:
                ratio = "-"
            lines.append("| %s | %s | %d | %s | %s-%s | %s | %s |" % (r["tool"], r.get("version", ""), len(v), fmt(med), fmt(v[0]), fmt(v[-1]), r["unit"], ratio))
        if info.get("notes"):
            lines += [""] + ["- " + n for n in info["notes"]]
        if info.get("reproduce"):
            lines += ["", "Reproduce one row: `%s`" % info["reproduce"]]
        lines.append("")
    open(out, "w").write("\n".join(lines))
    print("wrote " + out)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "prepare":
        prepare(*args)
    elif cmd == "templates":
        templates(args[0], int(args[1]), float(args[2]))
    elif cmd == "sign":
        sign(args[0], int(args[1]), float(args[2]))
    elif cmd == "requests":
        requests_loop(args[0], int(args[1]), args[2])
    elif cmd == "report":
        report(*args)
    else:
        sys.exit(__doc__)
