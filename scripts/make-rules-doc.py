#!/usr/bin/env python3
"""Writes docs/rules.md from the rule catalog (`dspec rules --format json`), a bad example
taken from the matching case in specs/invalid/, and the good example below.
    python3 scripts/make-rules-doc.py [path/to/dspec]
A test checks that docs/rules.md documents every rule code in the catalog.
"""
import json, os, subprocess, sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
GOOD = {
    "DS0000": '$ dspec lint specs/examples/acme.json   # a path that exists and is readable',
    "DS0001": '{"method": "POST", "url": "https://api.acme.example/v1/events"}',
    "DS0002": '{"endpoint": {"method": "POST", "url": "https://api.acme.example/v1/events"}}',
    "DS0003": 'Save the file as UTF-8: "description": "café"',
    "DS0004": 'Keep nesting shallow: no Delivery Spec needs more than a dozen levels.',
    "DS0006": 'Keep the spec small (a few KB); generated data belongs in events, settings or companion files.',
    "DS0005": '{"dspec": 1, "name": "acme-events", ...}   (one JSON value per file)',
    "DS0101": '"endpoint": {"url": "https://api.acme.example/v1/events", "timeout_ms": 5000}',
    "DS0102": '"timeout_ms": 5000',
    "DS0103": '"endpoint": {"url": "https://api.acme.example/v1/events"}',
    "DS0104": '"method": "POST"',
    "DS0105": '"dspec": 1',
    "DS0106": '"payload": {"format": "json", "mapping": {"event": {"@path": "event"}}}',
    "DS0201": '"url": "https://api.acme.example/v1/events"',
    "DS0202": '"url": "https://api.acme.example/v1/events"',
    "DS0203": '"token_url": "https://auth.acme.example/oauth/token"',
    "DS0204": '"url": "https://api.acme.example/v1/users/{{user_id}}/events"   ({{{@settings.base_url}}} is fine)',
    "DS0205": '"auth": {"type": "aws_sigv4", ..., "region": "us-east-1", "service": "kinesis"}',
    "DS0206": '"auth": {"type": "oauth1", ..., "token": "{{@settings.access_token}}", "token_secret": "{{@secrets.access_token_secret}}"}',
    "DS0207": '"url": "https://ns.servicebus.windows.net/hub/messages",\n"auth": {"type": "azure_sas", ..., "resource": "https://ns.servicebus.windows.net/hub"}',
    "DS0301": '"secrets": {"api_key": {}},\n"auth": {"type": "bearer", "token": "{{@secrets.api_key}}"}',
    "DS0302": '"secrets": {"api_key": {}}   (and {{@secrets.api_key}} is used somewhere)',
    "DS0303": '"settings": {"account": {"type": "string", "required": true}},\n"url": "https://api.acme.example/v1/{{@settings.account}}/events"',
    "DS0304": '"settings": {"region": {"type": "string"}}   (and {{@settings.region}} is used somewhere)',
    "DS0305": '"url": "https://api.acme.example/v1/{{@settings.account}}/events"',
    "DS0306": '"total": {"@path": "properties.total"}',
    "DS0307": '"template": "{\\"event\\": \\"{{#if event}}{{event}}{{/if}}\\"}"',
    "DS0308": '"template": "{\\"event\\": \\"{{event}}\\", \\"user\\": \\"{{user_id}}\\"}"',
    "DS0309": '"user": {"@path": "user_id"}',
    "DS0310": '"auth": {"type": "bearer", "token": "{{@secrets.api_key}}"}',
    "DS0311": '"auth": {"type": "api_key", "in": "header", "name": "X-Api-Key", "value": "{{@secrets.api_key}}"}',
    "DS0312": '"lookups": {"event_names": {"map": {"Order Completed": "Purchase"}}},\n"event_name": {"@path": "event", "@lookup": "event_names"}',
    "DS0313": '"lookups": {"event_names": {...}}   (and "@lookup": "event_names" or {{lookup_table \\"event_names\\" event}} somewhere)',
    "DS0314": '"event_names": {"map": {"Order Completed": "Purchase"}, "unmatched": "passthrough"}',
    "DS0401": '"batching": {"max_events": 100, "max_bytes": 1000000, "max_wait_ms": 1000}',
    "DS0402": '"batching": {"max_events": 100, "max_wait_ms": 1000}',
    "DS0403": '"batching": {"max_events": 100, "max_wait_ms": 1000}',
    "DS0404": '"batching": {"format": "json_object", "envelope": {"api_key": "{{@secrets.api_key}}", "events": {"@batch": true}}}',
    "DS0405": '"batching": {"max_bytes": 500000, ...},\n"payload": {"format": "json", "max_bytes": 32768, ...}',
    "DS0406": '"envelope": {"events": {"@batch": "events"}, "purchases": {"@batch": "purchases"}},\n"arrays": {"events": {"types": ["track"]}, "purchases": {"names": ["Order Completed"]}}',
    "DS0501": '"rate_limit": {"rps": 5, "burst": 10}',
    "DS0601": '"signing": {"preset": "github", "secret": "{{@secrets.signing_key}}"}',
    "DS0602": '"signing": {"algorithm": "hmac-sha256", "secret": "{{@secrets.signing_key}}", "header": "X-Signature"}',
    "DS0603": '"signing": {"preset": "github", ...},\n"payload": {"format": "json", "normalize": "javascript", "template": "{ \\"event\\": \\"{{event}}\\" }"}',
    "DS0701": '"rules": [\n  {"status": [429], "outcome": "retry"},\n  {"status": ["4xx"], "outcome": "drop"}\n]',
    "DS0702": '"error_message": "/error/message"',
    "DS0703": '"rules": [{"status": [401], "outcome": "drop"}]',
    "DS0704": '"retry": {"initial_backoff_ms": 500, "max_backoff_ms": 30000, "multiplier": 2}',
    "DS0705": '"batching": {"max_events": 100, "max_wait_ms": 1000},\n"response": {"isolate_on": [400]}',
    "DS0706": '"response": {"rate_limit_headers": {"remaining": "X-RateLimit-Remaining", "reset": "X-RateLimit-Reset", "reset_unit": "epoch_seconds"}}',
    "DS0707": '"rules": [{"status": "2xx", "body_pointer": "/errcode", "body_equals": 40001, "outcome": "refresh_auth"}]',
    "DS0801": '"payload": {"format": "canonical"}',
    "DS0802": '"endpoint": {"method": "POST", ...}, "payload": {...}',
    "DS0803": '"headers": {"X-Api-Version": "2"}',
    "DS0804": '"name": "acme-events"',
    "DS0805": '"settings": {"retries": {"type": "integer", "default": 3}}',
    "DS0806": '"events": {"types": ["track", "page"], "names": ["Order Completed"]}',
    "DS0901": '"lint": {"suppress": [{"rule": "DS0311", "reason": "the vendor accepts the key only in the query"}]}',
    "DS1001": '"events": {"schema": "contracts/acme.tracking-plan.schema.json"},\n"contract": {"openapi": "contracts/acme.openapi.json", "operation": "createEvent"}',
    "DS1002": '"template": "{\\"event\\": \\"{{event}}\\", \\"total\\": {{properties.total}}}"   (total is in the tracking plan)',
    "DS1003": '"mapping": {"event": {"@path": "event"}, "user": {"@path": "user_id"}, "source": "web"}   (every field the contract requires)',
    "DS1004": '"version": 2   (the contract says "type": "integer")',
    "DS1005": '"source": {"@path": "properties.coupon", "@default": "web"}',
    "DS1006": '$ dspec schema validate plan.schema.json events.ndjson   # every line matches',
}

def main():
    dspec = sys.argv[1] if len(sys.argv) > 1 else None
    cmd = [dspec, "rules", "--format", "json"] if dspec else ["swift", "run", "-q", "dspec", "rules", "--format", "json"]
    rules = json.loads(subprocess.check_output(cmd, cwd=ROOT))
    invalid = os.path.join(ROOT, "specs", "invalid")
    bad = {}
    for name in sorted(os.listdir(invalid)):
        if not name.endswith(".expected.json"):
            continue
        exp = json.load(open(os.path.join(invalid, name)))
        for e in exp["expect"]:
            if e["code"] in bad:
                continue
            spec = name.replace(".expected.json", ".json")
            raw = open(os.path.join(invalid, spec), "rb").read().decode("utf-8", errors="replace")
            lines = raw.split("\n")
            ln = e["line"]
            lo, hi = max(1, ln - 1), min(len(lines), ln + 1)
            excerpt = "\n".join(lines[lo - 1:hi])
            if len(excerpt) > 400:
                excerpt = excerpt[:400] + " ..."
            bad[e["code"]] = (spec, ln, e["column"], excerpt)
    out = ["# Diagnostic rules", "",
           "Every diagnostic dspec reports has a stable code. Codes never change meaning; new rules get new codes.",
           "Severity is the default; `--strict` makes warnings fail `dspec lint`. Suppress a finding inline with",
           '`"lint": {"suppress": [{"rule": "DS0311", "pointer": "/auth", "reason": "..."}]}` (reported as suppressed, never hidden).',
           "`dspec rules CODE` prints a rule's summary and fix.", "",
           "| Code | Name | Severity | Summary |", "|---|---|---|---|"]
    for r in rules:
        out.append(f"| [{r['code']}](#{r['code'].lower()}) | `{r['name']}` | {r['severity']} | {r['summary']} |")
    for r in rules:
        out += ["", f"## {r['code']}", "", f"**{r['name']}** ({r['severity']}). {r['summary']}", ""]
        if r.get("hint"):
            out += [f"Fix: {r['hint']}", ""]
        if r["code"] in bad:
            spec, ln, col, excerpt = bad[r["code"]]
            out += [f"Bad (`specs/invalid/{spec}`, reported at {ln}:{col}):", "", "```json", excerpt, "```", ""]
        out += ["Good:", "", "```json" if not GOOD.get(r["code"], "").startswith("$") else "```sh", GOOD.get(r["code"], "(see docs/spec-format.md)"), "```"]
    with open(os.path.join(ROOT, "docs", "rules.md"), "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote docs/rules.md with {len(rules)} rules")

if __name__ == "__main__":
    main()
