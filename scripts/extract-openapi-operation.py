#!/usr/bin/env python3
"""Cut one operation out of a vendor's OpenAPI document, verbatim.

    scripts/extract-openapi-operation.py VENDOR-DOC.(json|yaml) OPERATION_ID OUT.json \
        --source URL --commit SHA --licence LICENCE-FILE

Writes a valid OpenAPI document holding the `openapi` version, the vendor's `info`, the one
path item with only that operation (and the path item's parameters), and every component the
operation reaches through `$ref` (transitively), each copied unchanged. `x-dspec-source`
records where it came from (URL, commit, path, operation) and `x-dspec-licence` carries the
vendor's licence text, which the licences of these documents (MIT) require on copies.
Keys keep the vendor's order. Used for specs/*/contracts/*.openapi.json (docs/contracts.md).
"""
import argparse
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        if path.endswith((".yaml", ".yml")):
            import yaml  # PyYAML; only for vendors that publish YAML
            return yaml.safe_load(f)
        return json.load(f)


def pointer_get(doc, ref):
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[part]
    return node


def refs(node, out):
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and r.startswith("#/"):
            out.add(r)
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("document")
    ap.add_argument("operation")
    ap.add_argument("out")
    ap.add_argument("--source", required=True)
    ap.add_argument("--commit", required=True)
    ap.add_argument("--path-in-repo", required=True)
    ap.add_argument("--licence", required=True)
    a = ap.parse_args()
    doc = load(a.document)
    found = None
    for p, item in doc["paths"].items():
        for m, op in item.items():
            if isinstance(op, dict) and op.get("operationId") == a.operation:
                found = (p, m, item, op)
    if not found:
        sys.exit(f"no operation {a.operation}")
    p, m, item, op = found
    new_item = {k: v for k, v in item.items() if k in ("parameters", "summary", "description")}
    new_item[m] = op
    seen, todo = set(), set()
    refs(new_item, todo)
    while todo:
        r = todo.pop()
        if r in seen:
            continue
        seen.add(r)
        refs(pointer_get(doc, r), todo)
    components = {}
    for r in sorted(seen):
        parts = r[2:].split("/")
        if parts[0] != "components" or len(parts) != 3:
            sys.exit(f"unsupported $ref {r}")
        section, name = parts[1], parts[2].replace("~1", "/").replace("~0", "~")
        components.setdefault(section, {})[name] = doc["components"][section][name]
    # Components in the vendor's order.
    ordered = {}
    for section, entries in doc.get("components", {}).items():
        if section in components:
            ordered[section] = {k: v for k, v in entries.items() if k in components[section]}
    out = {"openapi": doc["openapi"], "info": doc["info"],
           "x-dspec-source": {"url": a.source, "commit": a.commit, "path": a.path_in_repo, "operationId": a.operation,
                              "note": "An excerpt, copied verbatim: this operation and every component it references "
                                      "(scripts/extract-openapi-operation.py)."},
           "x-dspec-licence": open(a.licence, encoding="utf-8").read(),
           "paths": {p: new_item}}
    if ordered:
        out["components"] = ordered
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
