#!/usr/bin/env python3
"""Drives `dspec lsp` over stdio with pygls's LanguageClient (an independent LSP client from
PyPI whose lsprotocol types check every message's shape) and compares what it publishes with
`dspec lint --format json` on the same file. Usage: test_lsp.py PATH/TO/dspec. Exit 0 on
success; prints what failed otherwise. Run by LSPClientInteropTests (XCTest)."""
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile

from lsprotocol import types as t
from pygls.lsp.client import LanguageClient

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def utf16_col(line_text: str, byte_col: int) -> int:
    """Lint columns are 1-based byte columns; LSP characters are UTF-16 code units."""
    prefix = line_text.encode("utf-8")[: byte_col - 1].decode("utf-8", errors="ignore")
    return len(prefix.encode("utf-16-le")) // 2


def find(text: str, needle: str, plus: int = 0) -> t.Position:
    before = text[: text.index(needle)]
    lines = before.split("\n")
    return t.Position(line=len(lines) - 1, character=len(lines[-1].encode("utf-16-le")) // 2 + plus)


async def main(dspec: str) -> int:
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    work = tempfile.mkdtemp(prefix="dspec-lsp-")
    try:
        examples = os.path.join(work, "specs", "examples")
        os.makedirs(os.path.join(work, "specs", "schema"))
        shutil.copytree(os.path.join(HERE, "sample"), examples)
        shutil.copy(os.path.join(ROOT, "specs", "schema", "delivery-spec.schema.json"), os.path.join(work, "specs", "schema"))
        spec = os.path.join(examples, "typo.json")
        text = open(spec, encoding="utf-8").read()
        lines = text.split("\n")
        lint = json.loads(subprocess.run([dspec, "lint", "--format", "json", spec], capture_output=True, text=True).stdout)["diagnostics"]

        client = LanguageClient("dspec-lsp-test", "1")
        published = asyncio.Queue()

        @client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(*args):
            # pygls 1.x passes (client, params), 2.x (params).
            published.put_nowait(args[-1])

        await client.start_io(dspec, "lsp")
        init = await client.initialize_async(t.InitializeParams(capabilities=t.ClientCapabilities(), root_uri="file://" + work))
        check(init.capabilities.hover_provider, "hoverProvider announced")
        client.initialized(t.InitializedParams())
        uri = "file://" + spec
        client.text_document_did_open(t.DidOpenTextDocumentParams(
            text_document=t.TextDocumentItem(uri=uri, language_id="json", version=1, text=text)))
        params = await asyncio.wait_for(published.get(), 20)
        got = [(d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.message)
               for d in params.diagnostics]
        want = [(d["code"], d["line"] - 1, utf16_col(lines[d["line"] - 1], d["column"]),
                 d["end_line"] - 1, utf16_col(lines[d["end_line"] - 1], d["end_column"]),
                 d["message"] + ("\n" + d["hint"] if d["hint"] else "")) for d in lint]
        check(len(want) > 0, "the sample has lint findings")
        check(got == want, f"diagnostics differ from dspec lint:\n  lsp:  {got}\n  lint: {want}")
        print(f"diagnostics: {len(got)} published, equal to dspec lint's: {got == want}")

        # Completion of a key inside "endpoint" (cursor after the typo's "ti).
        pos = find(text, '"timout_ms"', plus=3)
        completion = await client.text_document_completion_async(t.CompletionParams(
            text_document=t.TextDocumentIdentifier(uri=uri), position=pos))
        items = completion.items if hasattr(completion, "items") else completion
        labels = [i.label for i in items or []]
        check("timeout_ms" in labels, f"completion offers timeout_ms: {labels}")
        # Completion inside {{ }}.
        pos = find(text, "{{@settings.region", plus=5)
        completion = await client.text_document_completion_async(t.CompletionParams(
            text_document=t.TextDocumentIdentifier(uri=uri), position=pos))
        items = completion.items if hasattr(completion, "items") else completion
        labels = [i.label for i in items or []]
        for expected in ["@settings.region", "@secrets.api_key", "properties.total"]:
            check(expected in labels, f"template completion offers {expected}")

        # Hover on a template: rendered for the first sample event, secret redacted.
        hover = await client.text_document_hover_async(t.HoverParams(
            text_document=t.TextDocumentIdentifier(uri=uri), position=find(text, "{{event}} by", plus=3)))
        value = hover.contents.value if hover else ""
        check("Order Completed by user-1042 key [secret api_key]" in value, f"hover renders the template: {value!r}")
        check("sk_test_not_a_real_key" not in value, "hover never shows a secret value")

        # Definition of {{@secrets.api_key}}.
        definition = await client.text_document_definition_async(t.DefinitionParams(
            text_document=t.TextDocumentIdentifier(uri=uri), position=find(text, "@secrets.api_key", plus=10)))
        loc = definition[0] if isinstance(definition, list) else definition
        decl = find(text, '"api_key"')
        check(loc is not None and loc.range.start == decl, f"definition at the declaration {decl}: {loc}")

        # Code action: apply the did-you-mean.
        typo = find(text, '"timout_ms"', plus=2)
        actions = await client.text_document_code_action_async(t.CodeActionParams(
            text_document=t.TextDocumentIdentifier(uri=uri), range=t.Range(start=typo, end=typo),
            context=t.CodeActionContext(diagnostics=params.diagnostics)))
        titles = [a.title for a in actions or []]
        check(any("timeout_ms" in x for x in titles), f"code action replaces with timeout_ms: {titles}")
        check(any(x.startswith("Suppress DS0101") for x in titles), f"code action adds a suppression: {titles}")
        if actions:
            edit = actions[0].edit.changes[uri][0]
            check(edit.new_text == '"timeout_ms"', f"replacement text {edit.new_text!r}")

        # Hover on {{@settings.region}}: the declaration (type, default, description).
        hover = await client.text_document_hover_async(t.HoverParams(
            text_document=t.TextDocumentIdentifier(uri=uri), position=find(text, "@settings.region", plus=12)))
        value = hover.contents.value if hover else ""
        check("type: `string`" in value and 'default: `"eu"`' in value, f"hover shows the setting's declaration: {value!r}")

        # A mock scenario file: the problem `dspec mock --scenario` reports, at its key, with did-you-mean.
        scenario = os.path.join(work, "retry.scenario.json")
        scenario_text = '{"routes": [\n  {"path": "/v1", "responses": [{"status": 429, "dlay_ms": 5}]}\n]}'
        with open(scenario, "w", encoding="utf-8") as f:
            f.write(scenario_text)
        mock = subprocess.run([dspec, "mock", "--scenario", scenario], capture_output=True, text=True, timeout=20)
        mock_message = mock.stderr.strip().split(": scenario /routes/0/responses/0/dlay_ms: ", 1)[-1]
        check(mock.returncode != 0 and mock_message.startswith("unknown key"), f"dspec mock refuses the scenario: {mock.stderr!r}")
        scenario_uri = "file://" + scenario
        client.text_document_did_open(t.DidOpenTextDocumentParams(
            text_document=t.TextDocumentItem(uri=scenario_uri, language_id="json", version=1, text=scenario_text)))
        sparams = await asyncio.wait_for(published.get(), 20)
        while sparams.uri != scenario_uri:
            sparams = await asyncio.wait_for(published.get(), 20)
        sd = [(d.code, d.range.start.line, d.range.start.character, d.range.end.character) for d in sparams.diagnostics]
        check(sd == [("DS0101", 1, 48, 57)], f"scenario diagnostic at the key: {sd}")
        check(bool(sparams.diagnostics) and sparams.diagnostics[0].message.startswith(mock_message + '; did you mean "delay_ms"?'),
              f"scenario message is dspec mock's with did-you-mean: {[d.message for d in sparams.diagnostics]} vs {mock_message!r}")
        print(f"scenario: {sd} (dspec mock: {mock_message[:40]}...)")

        await client.shutdown_async(None)
        client.exit(None)
        await asyncio.sleep(0.2)
        await client.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    print("ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
