#!/usr/bin/env python3
"""Validates the JSON Schema itself (draft 2020-12) and every example, auth, feature and catalog spec against it."""
import json, os, sys
try:
    import jsonschema
except ImportError:
    print("jsonschema not installed; skipping schema validation")
    sys.exit(0)

root = os.path.join(os.path.dirname(__file__), "..")
schema_path = os.path.join(root, "specs", "schema", "delivery-spec.schema.json")
with open(schema_path) as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
companions = (".secrets.json", ".settings.json", ".suite.json", ".expected.json", ".schema.json", ".plan.json")
failed = 0
names = []
for folder in ("examples", "auth", "features", "catalog"):  # catalog: the vendor catalog (docs/catalog.md)
    directory = os.path.join(root, "specs", folder)
    if not os.path.isdir(directory):
        continue
    names += sorted(os.path.join(folder, n) for n in os.listdir(directory) if n.endswith(".json") and not n.endswith(companions))
for name in names:
    with open(os.path.join(root, "specs", name)) as f:
        spec = json.load(f)
    errors = sorted(validator.iter_errors(spec), key=lambda e: list(e.path))
    for e in errors:
        print(f"{name}: /{'/'.join(map(str, e.path))}: {e.message}")
    failed += bool(errors)
print(f"{len(names) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
