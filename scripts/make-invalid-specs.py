#!/usr/bin/env python3
"""Writes specs/invalid/: one broken spec per case plus NAME.expected.json.

Each case is a small valid spec with one defect. The expected line and column come from
a marker (the first occurrence of a substring, optionally the Nth) in the case's own text,
so expectations are independent of the linter under test. Re-run after editing cases:
    python3 scripts/make-invalid-specs.py
"""
import json, os, sys

OUT = os.path.join(os.path.dirname(__file__), "..", "specs", "invalid")

BASE = """{
  "dspec": 1,
  "name": "acme-events",
  "description": "Broken on purpose: %(why)s",
  "secrets": {"api_key": {}},
  "endpoint": {
    "method": "POST",
    "url": "https://api.acme.example/v1/events",
    "timeout_ms": 5000
  },
  "auth": {"type": "bearer", "token": "{{@secrets.api_key}}"},
  "payload": {
    "format": "json",
    "mapping": {
      "event": {"@path": "event"},
      "user": {"@path": "user_id"},
      "total": {"@path": "properties.total", "@type": "number", "@default": 0}
    }
  }
}
"""

def base(why, *edits):
    text = BASE % {"why": why}
    for old, new in edits:
        assert old in text, (why, old)
        text = text.replace(old, new, 1)
    return text

def pos(text, marker, nth=1):
    b = text.encode("utf-8") if isinstance(text, str) else text
    m = marker.encode("utf-8")
    i = -1
    for _ in range(nth):
        i = b.index(m, i + 1)
    line = b.count(b"\n", 0, i) + 1
    start = b.rfind(b"\n", 0, i) + 1
    col = len(b[start:i].decode("utf-8", errors="replace")) + 1
    return line, col

CASES = []
def case(name, text, code, marker, nth=1, strict=False, also=(), message=None, hint=False):
    CASES.append((name, text, code, marker, nth, strict, also, message, hint))

# --- parse stage -------------------------------------------------------------
case("syntax-missing-comma", base("missing comma", ('"method": "POST",', '"method": "POST"')), "DS0001", '"url"')
case("syntax-trailing-comma", base("trailing comma", ('"timeout_ms": 5000\n', '"timeout_ms": 5000,\n')), "DS0001", "}", nth=3)
case("syntax-single-quotes", base("single quotes", ('"method": "POST"', "'method': 'POST'")), "DS0001", "'method'")
case("syntax-unterminated-string", '{\n  "dspec": 1,\n  "name": "acme\n}\n', "DS0001", "\n}", message="line break")
case("syntax-empty-file", "", "DS0001", None)
case("duplicate-key", base("duplicate key", ('"timeout_ms": 5000', '"timeout_ms": 5000,\n    "method": "PUT"')), "DS0002", '"method"', nth=2)
case("nesting-too-deep", base("deep nesting", ('"dspec": 1,', '"dspec": 1,\n  "x-deep": ' + "[" * 200 + "]" * 200 + ",")), "DS0004", "[", nth=128)
case("trailing-garbage", base("trailing content") + "{}\n", "DS0005", "{}\n")
# invalid UTF-8 is written as bytes below.

# --- decode stage ------------------------------------------------------------
case("unknown-key-typo", base("typo in a key", ('"timeout_ms": 5000', '"timeout": 5000')), "DS0101", '"timeout"', message="did you mean \"timeout_ms\"")
case("unknown-top-level-key", base("unknown top-level key", ('"auth":', '"authentication": {"type": "none"},\n  "auth":')), "DS0101", '"authentication"')
case("wrong-type-timeout", base("timeout as a string", ('"timeout_ms": 5000', '"timeout_ms": "5000"')), "DS0102", '"5000"')
case("top-level-array", '[{"dspec": 1}]\n', "DS0102", "[")
case("missing-endpoint-url", base("endpoint without url", ('"url": "https://api.acme.example/v1/events",\n    ', '')), "DS0103", '{\n    "method"')
case("invalid-method", base("misspelled method", ('"method": "POST"', '"method": "POTS"')), "DS0104", '"POTS"', message="did you mean \"POST\"")
case("unknown-auth-type", base("unknown auth type", ('"type": "bearer"', '"type": "beare"')), "DS0104", '"beare"', message="did you mean \"bearer\"")
case("invalid-status-pattern", base("status 6xx", ('"payload":', '"response": {"rules": [{"status": ["6xx"], "outcome": "retry"}]},\n  "payload":')), "DS0104", '"6xx"')
case("unsupported-version", base("version 2", ('"dspec": 1', '"dspec": 2')), "DS0105", "2")
case("mapping-and-template", base("mapping and template", ('"format": "json",', '"format": "json",\n    "template": "{\\"e\\": \\"{{event}}\\"}",')), "DS0106", '"template"')

# --- validation rules ---------------------------------------------------------
case("http-endpoint", base("plain http", ('https://api.acme', 'http://api.acme')), "DS0201", '"http://')
case("url-raw-event-field", base("event field inserted raw into the URL", ('"https://api.acme.example/v1/events"', '"https://api.acme.example/v1/users/{{{user_id}}}/events"')), "DS0204", '{{{user_id}}}')
case("setting-http-base-url", base("base URL setting defaulting to plain http", ('"secrets":', '"settings": {"base_url": {"type": "string", "default": "http://api.acme.example"}},\n  "secrets":'), ('"https://api.acme.example/v1/events"', '"{{{@settings.base_url}}}/v1/events"')), "DS0201", '"http://api.acme.example"')
case("relative-url", base("relative URL", ('"https://api.acme.example/v1/events"', '"/v1/events"')), "DS0202", '"/v1/events"')
case("oauth-token-url-http", base("OAuth over http", ('"auth": {"type": "bearer", "token": "{{@secrets.api_key}}"}',
     '"auth": {\n    "type": "oauth2_client_credentials",\n    "token_url": "http://auth.acme.example/token",\n    "client_id": "dspec",\n    "client_secret": "{{@secrets.api_key}}"\n  }')), "DS0203", '"http://auth')
AUTH_LINE = '"auth": {"type": "bearer", "token": "{{@secrets.api_key}}"}'
case("sigv4-region-not-a-code", base("SigV4 region is an availability zone", (AUTH_LINE,
     '"auth": {\n    "type": "aws_sigv4",\n    "access_key_id": "AKIDEXAMPLE",\n    "secret_access_key": "{{@secrets.api_key}}",\n    "region": "us-east-1a",\n    "service": "kinesis"\n  }')), "DS0205", '"us-east-1a"')
case("sigv4-region-differs-from-host", base("SigV4 region is not the endpoint's", ('"url": "https://api.acme.example/v1/events"', '"url": "https://kinesis.eu-west-1.amazonaws.com/"'), (AUTH_LINE,
     '"auth": {\n    "type": "aws_sigv4",\n    "access_key_id": "AKIDEXAMPLE",\n    "secret_access_key": "{{@secrets.api_key}}",\n    "region": "us-east-1",\n    "service": "kinesis"\n  }')), "DS0205", '"us-east-1"', message="eu-west-1")
case("sigv4-missing-service", base("SigV4 without a service", (AUTH_LINE,
     '"auth": {\n    "type": "aws_sigv4",\n    "access_key_id": "AKIDEXAMPLE",\n    "secret_access_key": "{{@secrets.api_key}}",\n    "region": "us-east-1"\n  }')), "DS0103", '{\n    "type": "aws_sigv4"', message="service")
case("oauth1-token-without-secret", base("OAuth 1.0a token without its secret", (AUTH_LINE,
     '"auth": {\n    "type": "oauth1",\n    "consumer_key": "xvz1evFS4wEEPTGEFPHBog",\n    "consumer_secret": "{{@secrets.api_key}}",\n    "token": "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"\n  }')), "DS0206", '"370773112')
case("sas-missing-key-name", base("SAS without a key name", (AUTH_LINE,
     '"auth": {\n    "type": "azure_sas",\n    "key": "{{@secrets.api_key}}",\n    "resource": "https://api.acme.example/v1"\n  }')), "DS0103", '{\n    "type": "azure_sas"', message="key_name")
case("sas-resource-outside-endpoint", base("SAS resource for another entity", (AUTH_LINE,
     '"auth": {\n    "type": "azure_sas",\n    "key_name": "send",\n    "key": "{{@secrets.api_key}}",\n    "resource": "https://api.acme.example/v2"\n  }')), "DS0207", '"https://api.acme.example/v2"', strict=True)
case("undeclared-secret", base("undeclared secret", ('{{@secrets.api_key}}', '{{@secrets.api_kye}}')), "DS0301", "@secrets.api_kye", also=["DS0302"], message="did you mean \"api_key\"")
case("unused-secret", base("unused secret", ('"secrets": {"api_key": {}}', '"secrets": {"api_key": {}, "old_key": {}}')), "DS0302", '"old_key"', strict=True)
case("undeclared-setting", base("undeclared setting", ('/v1/events', '/v1/{{@settings.account}}/events')), "DS0303", "@settings.account")
case("unused-setting", base("unused setting", ('"secrets":', '"settings": {"region": {"type": "string"}},\n  "secrets":')), "DS0304", '"region"', strict=True)
case("unknown-data-namespace", base("typo in @settings", ('/v1/events', '/v1/{{@setings.account}}/events')), "DS0305", "@setings.account", message="did you mean \"@settings\"")
case("event-field-typo", base("propertes typo", ('"properties.total"', '"propertes.total"')), "DS0306", '"propertes.total"', message="did you mean \"properties\"")
case("event-field-typo-template", base("typo in a template", ('"format": "json",\n    "mapping": {\n      "event": {"@path": "event"},\n      "user": {"@path": "user_id"},\n      "total": {"@path": "properties.total", "@type": "number", "@default": 0}\n    }',
     '"format": "json",\n    "template": "{\\"event\\": \\"{{event}}\\", \\"revenue\\": {{propertes.total}}}"')), "DS0306", "propertes.total")
case("template-unclosed-block", base("unclosed block", ('"format": "json",\n    "mapping": {\n      "event": {"@path": "event"},\n      "user": {"@path": "user_id"},\n      "total": {"@path": "properties.total", "@type": "number", "@default": 0}\n    }',
     '"format": "json",\n    "template": "{\\"event\\": \\"{{#if event}}{{event}}\\"}"')), "DS0307", "{{#if")
case("template-unknown-helper", base("unknown helper", ('"format": "json",\n    "mapping": {\n      "event": {"@path": "event"},\n      "user": {"@path": "user_id"},\n      "total": {"@path": "properties.total", "@type": "number", "@default": 0}\n    }',
     '"format": "json",\n    "template": "{\\"event\\": \\"{{upcase event}}\\"}"')), "DS0307", "upcase")
case("template-very-large", base("a 70,000-byte template", ('"format": "json",\n    "mapping": {\n      "event": {"@path": "event"},\n      "user": {"@path": "user_id"},\n      "total": {"@path": "properties.total", "@type": "number", "@default": 0}\n    }',
     '"format": "json",\n    "template": "{\\"event\\": \\"' + "e" * 70000 + '\\"}"')), "DS0307", '{\\"event', message="over the template size limit of 65536 bytes")
case("template-invalid-json", base("template renders invalid JSON", ('"format": "json",\n    "mapping": {\n      "event": {"@path": "event"},\n      "user": {"@path": "user_id"},\n      "total": {"@path": "properties.total", "@type": "number", "@default": 0}\n    }',
     '"format": "json",\n    "template": "{\\"event\\": \\"{{event}}\\" \\"user\\": \\"{{user_id}}\\"}"')), "DS0308", '"{\\"event')
case("mapping-unknown-directive", base("misspelled directive", ('{"@path": "user_id"}', '{"@pth": "user_id"}')), "DS0309", '{"@pth"')
case("mapping-mixed-keys", base("directive mixed with fields", ('{"@path": "user_id"}', '{"@path": "user_id", "id": "x"}')), "DS0309", '{"@path": "user_id", "id"')
case("mapping-unknown-transform", base("unknown transform", ('"@type": "number", "@default": 0}', '"@type": "number", "@default": 0, "@transform": ["sha265"]}')), "DS0309", '"sha265"')
# --- issue 14: object @when, @drop_empty, lookup tables, @sent_at, ordering ---------
case("mapping-when-on-root", base("@when on the root object", ('"mapping": {\n', '"mapping": {\n      "@when": {"path": "type", "equals": "track"},\n')),
     "DS0309", '{"path": "type"', message="root")
case("mapping-object-drop-empty-not-boolean", base("@drop_empty is not a boolean", ('"mapping": {\n', '"mapping": {\n      "@drop_empty": "yes",\n')), "DS0309", '"yes"')
LOOKUPS = ('"payload":', '"lookups": {"event_names": {"map": {"Order Completed": "Purchase"}, "default": "Custom"}},\n  "payload":')
case("lookup-unknown-table", base("@lookup names an undeclared table", LOOKUPS, ('{"@path": "event"}', '{"@path": "event", "@lookup": "event_name"}')),
     "DS0312", '"event_name"}', message="did you mean \"event_names\"", also=["DS0313"])
case("lookup-unknown-table-template", base("lookup_table names an undeclared table", LOOKUPS, ('{"@path": "event"}', '"{{lookup_table \\"evnt_names\\" event}}"')),
     "DS0312", '\\"evnt_names', message="did you mean \"event_names\"", also=["DS0313"])
case("lookup-unused", base("a lookup table nobody uses", LOOKUPS), "DS0313", '"event_names"', strict=True)
case("lookup-default-with-passthrough", base("a default that unmatched passthrough never uses", LOOKUPS,
     ('"default": "Custom"}', '"default": "Custom", "unmatched": "passthrough"}'), ('{"@path": "event"}', '{"@path": "event", "@lookup": "event_names"}')),
     "DS0314", '"Custom"')
case("lookup-empty-map", base("a lookup table with an empty map", LOOKUPS, ('{"Order Completed": "Purchase"}', '{}'),
     ('{"@path": "event"}', '{"@path": "event", "@lookup": "event_names"}')), "DS0314", '{}, "default"')
case("ordering-unknown", base("misspelled ordering", ('"payload":', '"ordering": "strcit",\n  "payload":')), "DS0104", '"strcit"', message="did you mean \"strict\"")
case("url-sent-at-unavailable", base("the send time read in the URL", ('/v1/events', '/v1/events/{{@sent_at}}')), "DS0305", "@sent_at")
case("literal-credential", base("literal token", ('"token": "{{@secrets.api_key}}"', '"token": "sk_live_literal"')), "DS0310", '"sk_live_literal"', strict=True, also=["DS0302"])
case("secret-in-query", base("key in query", ('"auth": {"type": "bearer", "token": "{{@secrets.api_key}}"}', '"auth": {"type": "api_key", "in": "query", "name": "key", "value": "{{@secrets.api_key}}"}')), "DS0311", '"{{@secrets.api_key}}"', strict=True)
case("batch-bytes-too-small", base("max_bytes too small", ('"payload":', '"batching": {"max_events": 100, "max_bytes": 8, "max_wait_ms": 1000},\n  "payload":')), "DS0401", "8,")
case("batch-zero-wait", base("zero wait", ('"payload":', '"batching": {"max_events": 100, "max_wait_ms": 0},\n  "payload":')), "DS0402", "0}")
case("batch-zero-events", base("zero events", ('"payload":', '"batching": {"max_events": 0, "max_wait_ms": 1000},\n  "payload":')), "DS0403", "0,")
case("batch-object-without-envelope", base("json_object without envelope", ('"payload":', '"batching": {"max_events": 10, "max_wait_ms": 1000, "format": "json_object"},\n  "payload":')), "DS0404", '"json_object"')
case("rate-rps-too-high", base("rps far above any vendor limit", ('"payload":', '"rate_limit": {"rps": 1e19},\n  "payload":')), "DS0501", "1e19", message="largest supported rate")
case("rate-rps-too-low", base("rps far below one a day", ('"payload":', '"rate_limit": {"rps": 1e-10},\n  "payload":')), "DS0501", "1e-10", message="smallest supported rate")
case("rate-burst-too-large", base("burst 1e11", ('"payload":', '"rate_limit": {"rps": 5, "burst": 100000000000},\n  "payload":')), "DS0501", "100000000000", message="largest supported bucket")
case("webhook-rate-too-high", '{\n  "dspec": 1,\n  "integration": "custom_webhook",\n  "name": "orders-webhook",\n  "config": {\n    "url": "https://hooks.example.com/events",\n    "rate_limit_rps": 1e19\n  }\n}\n', "DS0501", "1e19", message="largest supported rate")
case("rate-burst-below-one", base("burst 0.5", ('"payload":', '"rate_limit": {"rps": 5, "burst": 0.5},\n  "payload":')), "DS0501", "0.5}")
case("signing-without-secret", base("no signing secret", ('"payload":', '"signing": {"preset": "github"},\n  "payload":')), "DS0601", '{"preset"', also=("DS0603",))
case("signing-without-header", base("explicit signing without header", ('"payload":', '"signing": {"algorithm": "hmac-sha256", "secret": "{{@secrets.api_key}}"},\n  "payload":')), "DS0602", '{"algorithm"', also=("DS0603",))
case("signed-template-body", base("signed template body a re-serialising receiver changes", ('"payload":', '"signing": {"preset": "github", "secret": "{{@secrets.api_key}}"},\n  "payload":'), ('"format": "json",\n    "mapping": {\n      "event": {"@path": "event"},\n      "user": {"@path": "user_id"},\n      "total": {"@path": "properties.total", "@type": "number", "@default": 0}\n    }', '"format": "json",\n    "template": "{ \\"event\\": \\"{{event}}\\", \\"total\\": {{properties.total}} }"')), "DS0603", '{\n    "format"', hint=True)
case("response-rule-shadowed", base("429 after 4xx", ('"payload":', '"response": {\n    "rules": [\n      {"status": ["4xx"], "outcome": "drop"},\n      {"status": [429], "outcome": "retry"}\n    ]\n  },\n  "payload":')), "DS0701", '{"status": [429]')
case("error-pointer-dotted", base("dotted error path", ('"payload":', '"response": {"error_message": "error.message"},\n  "payload":')), "DS0702", '"error.message"', message="/error/message")
case("refresh-auth-without-oauth", base("refresh_auth with bearer", ('"payload":', '"response": {"rules": [{"status": [401], "outcome": "refresh_auth"}]},\n  "payload":')), "DS0703", '"refresh_auth"', strict=True)
case("event-limit-over-batch-limit", base("per-event limit above the batch limit", ('"payload":', '"batching": {"max_events": 10, "max_bytes": 1000, "max_wait_ms": 1000},\n  "payload":'), ('"format": "json",', '"format": "json",\n    "max_bytes": 2000,')), "DS0405", '2000', strict=True)
case("batch-array-unmarked", base("a batch array the envelope does not mark", ('"payload":', '"batching": {"max_events": 75, "max_wait_ms": 1000, "format": "json_object",\n    "envelope": {"events": {"@batch": "events"}},\n    "arrays": {"events": {"types": ["track"]}, "purchases": {"names": ["Order Completed"]}}},\n  "payload":')), "DS0406", '"purchases"')
case("isolate-on-success", base("isolate_on listing successes", ('"payload":', '"batching": {"max_events": 10, "max_wait_ms": 1000},\n  "response": {"isolate_on": ["2xx", 400]},\n  "payload":')), "DS0705", '"2xx"')
case("rate-limit-headers-reads-nothing", base("rate_limit_headers without a reset header", ('"payload":', '"response": {"rate_limit_headers": {"remaining": "X-RateLimit-Remaining"}},\n  "payload":')), "DS0706", '"X-RateLimit-Remaining"', message="without \"reset\"")
case("body-pointer-without-equals", base("body_pointer without body_equals", ('"payload":', '"response": {"rules": [{"status": "2xx", "body_pointer": "/errcode", "outcome": "drop"}]},\n  "payload":')), "DS0707", '"/errcode"')
case("retry-multiplier-too-large", base("huge multiplier", ('"payload":', '"response": {"retry": {"multiplier": 1e300}},\n  "payload":')), "DS0704", "1e300", message="largest supported factor")
case("timeout-out-of-range", base("timeout 10^12", ('"timeout_ms": 5000', '"timeout_ms": 1000000000000')), "DS0104", "1000000000000", message="at most 600000")
case("retry-backoff-inverted", base("initial above max", ('"payload":', '"response": {"retry": {"initial_backoff_ms": 60000, "max_backoff_ms": 1000}},\n  "payload":')), "DS0704", "60000")
case("canonical-with-mapping", base("canonical plus mapping", ('"format": "json"', '"format": "canonical"')), "DS0801", '{\n      "event"')
case("get-with-payload", base("GET with a body", ('"method": "POST"', '"method": "GET"')), "DS0802", '"GET"', strict=True)
case("header-content-length", base("Content-Length header", ('"auth":', '"headers": {"Content-Length": "10"},\n  "auth":')), "DS0803", '"Content-Length"')
case("name-not-slug", base("name with spaces", ('"name": "acme-events"', '"name": "Acme Events"')), "DS0804", '"Acme Events"')
case("setting-default-wrong-type", base("default of wrong type", ('"secrets":', '"settings": {"retries": {"type": "integer", "default": "three"}},\n  "secrets":'), ('/v1/events', '/v1/{{@settings.retries}}/events')), "DS0805", '"three"')
case("names-without-track", base("names but no track", ('"secrets":', '"events": {"types": ["page"], "names": ["Order Completed"]},\n  "secrets":')), "DS0806", '["Order Completed"]')
case("suppression-unknown-rule", base("suppression of a rule that does not exist", ('"secrets":', '"lint": {"suppress": [{"rule": "DS9999", "reason": "legacy"}]},\n  "secrets":')), "DS0901", '"DS9999"', strict=True)
case("webhook-missing-url", '{\n  "dspec": 1,\n  "integration": "custom_webhook",\n  "name": "orders-webhook",\n  "config": {\n    "auth": "none",\n    "payload_format": "canonical"\n  }\n}\n', "DS0103", "{\n    \"auth\"")
case("webhook-http-url", '{\n  "dspec": 1,\n  "integration": "custom_webhook",\n  "name": "orders-webhook",\n  "secrets": {"hmac_secret": {}},\n  "config": {\n    "url": "http://hooks.example.com/events",\n    "auth": "hmac",\n    "hmac_secret": "{{@secrets.hmac_secret}}"\n  }\n}\n', "DS0201", '"http://')
case("webhook-typo-in-config", '{\n  "dspec": 1,\n  "integration": "custom_webhook",\n  "name": "orders-webhook",\n  "config": {\n    "url": "https://hooks.example.com/events",\n    "batch_sise": 100\n  }\n}\n', "DS0101", '"batch_sise"', message="did you mean \"batch_size\"")

# --- contracts (DS1001-DS1005): companions live in specs/invalid/contracts/ ----------
CONTRACT_FILES = {
    "acme.tracking-plan.schema.json": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Acme tracking plan (test fixture)",
        "type": "object",
        "required": ["type", "event_id"],
        "properties": {
            "type": {"enum": ["track", "page", "identify"]},
            "event": {"type": "string"},
            "event_id": {"type": "string"},
            "user_id": {"type": "string"},
            "properties": {
                "type": "object",
                "properties": {
                    "total": {"type": "number", "minimum": 0},
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                    "event": {"type": "string"},
                    "coupon": {"type": "string"}
                },
                "required": ["total"],
                "additionalProperties": False
            }
        }
    },
    "acme.openapi.json": {
        "openapi": "3.0.3",
        "info": {"title": "Acme Events API (test fixture)", "version": "1.0.0"},
        "paths": {
            "/v1/events": {
                "post": {
                    "operationId": "createEvent",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}},
                    "responses": {"202": {"description": "Accepted"}}
                }
            }
        },
        "components": {
            "schemas": {
                "Event": {
                    "type": "object",
                    "required": ["event", "user", "source"],
                    "properties": {
                        "event": {"type": "string", "minLength": 1},
                        "user": {"type": "string"},
                        "total": {"type": "number", "nullable": True, "minimum": 0, "exclusiveMinimum": True},
                        "coupon": {"type": "string"},
                        "source": {"type": "string", "enum": ["web", "server"]},
                        "version": {"type": "integer"}
                    }
                }
            }
        }
    }
}

PLAN = '"events": {"types": ["track"], "names": ["Order Completed"], "schema": "contracts/acme.tracking-plan.schema.json"},\n  "endpoint"'
CONTRACT = '"contract": {"openapi": "contracts/acme.openapi.json", "operation": "createEvent"},\n  "payload"'
SOURCE = '"total": {"@path": "properties.total", "@type": "number", "@default": 0},\n      "source": "web"'

case("tracking-plan-misspelt-property", base("a template reads properties.totl, which the tracking plan does not define",
     ('"endpoint"', PLAN),
     ('"format": "json",\n    "mapping": {\n      "event": {"@path": "event"},\n      "user": {"@path": "user_id"},\n      "total": {"@path": "properties.total", "@type": "number", "@default": 0}\n    }',
      '"format": "json",\n    "template": "{\\"event\\": \\"{{event}}\\", \\"total\\": {{properties.totl}}}"')),
     "DS1002", "properties.totl", nth=2, message='"properties.totl" is not in the tracking plan for Order Completed')
case("tracking-plan-misspelt-mapping-path", base("a mapping reads properties.evnt",
     ('"endpoint"', PLAN), ('"user": {"@path": "user_id"}', '"user": {"@path": "user_id"},\n      "label": {"@path": "properties.evnt"}')),
     "DS1002", '"properties.evnt"', message='did you mean "event"?')
case("tracking-plan-missing-file", base("events.schema names a file that does not exist",
     ('"endpoint"', PLAN.replace("acme.tracking-plan.schema.json", "nope.schema.json"))), "DS1001", '"contracts/nope')
case("contract-unknown-operation", base("the contract names an operationId the OpenAPI document does not have",
     ('"payload"', CONTRACT.replace('"createEvent"', '"createEvents"')), ('"@default": 0}', '"@default": 0},\n      "source": "web"')),
     "DS1001", '"createEvents"', message='did you mean "createEvent"?')
case("contract-mapping-drops-required", base("the mapping never writes source, which the vendor contract requires",
     ('"payload"', CONTRACT)), "DS1003", '{\n      "event"', message='never writes "source"')
case("contract-constant-wrong-type", base("the mapping writes version as a string; the contract wants an integer",
     ('"payload"', CONTRACT), ('"@default": 0}', '"@default": 0},\n      "source": "web",\n      "version": "2"')),
     "DS1004", '"2"', message="is a string, but the contract wants integer")
case("contract-required-from-optional", base("source is required by the contract but comes from an optional tracking-plan property",
     ('"endpoint"', PLAN), ('"payload"', CONTRACT), ('"@default": 0}', '"@default": 0},\n      "source": {"@path": "properties.coupon"}')),
     "DS1005", '{"@path": "properties.coupon"}', strict=True)

def write_contract_files():
    d = os.path.join(OUT, "contracts")
    os.makedirs(d, exist_ok=True)
    for name, doc in CONTRACT_FILES.items():
        with open(os.path.join(d, name), "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")

def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".json"):
            os.remove(os.path.join(OUT, f))
    count = 0
    for name, text, code, marker, nth, strict, also, message, hint in CASES:
        raw = text.encode("utf-8")
        line, col = (1, 1) if marker is None else pos(text, marker, nth)
        write(name, raw, code, line, col, strict, also, message, hint)
        count += 1
    # Invalid UTF-8: a Latin-1 byte inside the description string.
    text = (BASE % {"why": "invalid UTF-8 caf\u00e9"}).encode("utf-8").replace("caf\u00e9".encode("utf-8"), b"caf\xe9")
    i = text.index(b"\xe9")
    line = text.count(b"\n", 0, i) + 1
    col = len(text[text.rfind(b"\n", 0, i) + 1:i].decode()) + 1
    write("invalid-utf8", text, "DS0003", line, col, False, (), None)
    count += 1
    write_contract_files()
    print(f"wrote {count} invalid specs to {os.path.normpath(OUT)}")

def write(name, raw, code, line, col, strict, also, message, hint=False):
    with open(os.path.join(OUT, name + ".json"), "wb") as f:
        f.write(raw)
    expected = {"code": code, "line": line, "column": col}
    if message:
        expected["message_contains"] = message
    doc = {"expect": [expected], "also": list(also), "strict": strict}
    if hint:
        # A note: reported, but lint still passes (even with --strict).
        doc["hint"] = True
    with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")

if __name__ == "__main__":
    main()
