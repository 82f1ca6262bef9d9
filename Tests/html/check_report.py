#!/usr/bin/env python3
"""Renders `dspec test --format html` reports in headless Chromium (Debian package) and checks
them as a reader would get them: no console messages (the page has no scripts, and its
Content-Security-Policy would report any), one section per case run, the Retry-After pause
visible in the timeline, and a screenshot. Usage: check_report.py PATH/TO/dspec OUTDIR.
Run by HTMLReportBrowserTests (XCTest); exit 0 on success."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SUITE = "specs/examples/stripe-meter-events.suite.json"


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def browse(browser, url, *flags):
    """Runs headless Chromium; returns (stdout, console lines)."""
    profile = tempfile.mkdtemp(prefix="dspec-chromium-")
    try:
        p = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                            "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0", *flags, url],
                           capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    console = [line for line in p.stderr.splitlines() if ":CONSOLE" in line]
    return p.stdout, console


def main(dspec, out):
    browser = chromium()
    if not browser:
        print("SKIP: chromium is not installed")
        return 3
    os.makedirs(out, exist_ok=True)
    failures = []

    # The detector must see a console error where there is one (negative control).
    bad = os.path.join(out, "control.html")
    with open(bad, "w") as f:
        f.write("<!DOCTYPE html><html><body><script>console.error('control')</script></body></html>")
    _, console = browse(browser, "file://" + bad, "--dump-dom")
    if not any("control" in line for line in console):
        failures.append("the console check saw nothing on a page that logs an error")

    ids = subprocess.run([dspec, "test", SUITE, "--list"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    report = os.path.join(out, "report.html")
    run = subprocess.run([dspec, "test", SUITE, "--format", "html", "-o", report], cwd=ROOT, capture_output=True, text=True)
    if run.returncode not in (0, 1) or not os.path.exists(report):
        print("dspec test failed:", run.returncode, run.stderr)
        return 1

    dom, console = browse(browser, "file://" + report, "--dump-dom")
    if console:
        failures.append("console messages: " + " | ".join(console))
    sections = re.findall(r'<section class="case (pass|fail)" id="case-\d+" data-case="([^"]*)"', dom)
    if [s[1] for s in sections] != ids:
        failures.append(f"cases shown {[s[1] for s in sections]} != cases run {ids}")
    # The Retry-After case: the 429, then the retry at least a second later, labelled on the timeline.
    m = re.search(r'data-case="stripe-meter-events/retry-after-429"(.*?)</section>', dom, re.S)
    gaps = [float(g) for g in re.findall(r'class="gaplabel"[^>]*>\+(\d+(?:\.\d+)?) s<', m.group(1))] if m else []
    if not gaps or max(gaps) < 1.0:
        failures.append(f"the Retry-After pause is not on the timeline (gaps {gaps})")
    # The pause label names the Retry-After value the mock sent with the 429 (from the journal).
    labels = re.findall(r'class="gaplabel"[^>]*>(.*?)</text>', m.group(1), re.S) if m else []
    retry_after = [re.sub(r"<[^>]+>", "", l) for l in labels if "Retry-After:" in l]
    if not retry_after or not re.search(r"Retry-After: \d+", retry_after[0]):
        failures.append(f"the pause label does not show the Retry-After value (labels {labels})")
    if m and 'class="attempt o-limit"' not in m.group(1):
        failures.append("the 429 attempt is not drawn")

    # dspec diff --format html: one row per change, coloured by class, no console messages.
    edited = os.path.join(out, "custom-webhook.json")
    spec = json.load(open(os.path.join(ROOT, "specs/examples/custom-webhook.json")))
    spec["config"]["url"] = "https://hooks.example.com/v2/events?x=<b>"
    spec["config"]["timeout_ms"] = 8000
    spec["config"]["batch_size"] = 50
    json.dump(spec, open(edited, "w"), indent=2)
    diff_args = [dspec, "diff", "specs/examples/custom-webhook.json", edited, "--events", "specs/examples/custom-webhook.events.ndjson",
                 "--secrets", "specs/examples/custom-webhook.secrets.json", "--fail-on", "never"]
    changes = json.loads(subprocess.run(diff_args + ["--format", "json"], cwd=ROOT, capture_output=True, text=True).stdout)["changes"]
    diff_html = os.path.join(out, "diff.html")
    with open(diff_html, "w") as f:
        f.write(subprocess.run(diff_args + ["--format", "html"], cwd=ROOT, capture_output=True, text=True).stdout)
    diff_dom, diff_console = browse(browser, "file://" + diff_html, "--dump-dom")
    if diff_console:
        failures.append("diff report console messages: " + " | ".join(diff_console))
    rows = re.findall(r'<tr class="change (breaking|risky|safe)"', diff_dom)
    if rows != sorted([c["class"] for c in changes], key=["breaking", "risky", "safe"].index) or not rows:
        failures.append(f"diff rows {rows} != changes {[c['class'] for c in changes]}")
    if "<b>" in diff_dom or "&lt;b&gt;" not in diff_dom:
        failures.append("spec text became markup in the diff report")
    browse(browser, "file://" + diff_html, "--window-size=1280,1000", "--screenshot=" + os.path.join(out, "diff.png"))

    shot = os.path.join(out, "report.png")
    browse(browser, "file://" + report, "--window-size=1280,2000", "--screenshot=" + shot)
    if not os.path.exists(shot) or os.path.getsize(shot) < 10_000:
        failures.append("no screenshot")

    print(f"diff: {len(rows)} rows for {len(changes)} changes; console messages: {len(diff_console)}")
    print(f"cases: {len(sections)} shown, {len(ids)} run; console messages: {len(console)}; retry-after gap: {max(gaps) if gaps else None} s ({retry_after[0].strip() if retry_after else 'no Retry-After label'}); screenshot: {shot}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
