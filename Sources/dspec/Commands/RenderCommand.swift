import DeliverySpec

/// `dspec render SPEC|DIR --events EVENTS.ndjson ...`
enum RenderCommand: Command {
    static let name = "render"
    static let summary = "Render the exact HTTP requests for events; write or check golden fixtures."
    static let help = """
    USAGE: dspec render SPEC|DIR [--events EVENTS.ndjson] [--settings S.json] [--secrets S.json]
                               [-o DIR] [--check] [--format json|http] [--redact]

    Compiles SPEC and renders every event in EVENTS into the HTTP requests the runtime
    would send: URL, headers, auth, body and signature, byte for byte. Rendering is
    deterministic: the clock is fixed at 1767225600 (2026-01-01T00:00:00Z) and request ids
    are derived from the event ids, so the same inputs always give the same files.

    One file per request is written to OUT/SPEC-NAME/ (001-track-order-completed.json, ...):
    method, url, headers sorted by name, body (pretty JSON for JSON bodies), body_bytes,
    signing_string, the event ids and the environment. Events the spec does not select
    (type, name, consent) and events that fail (header injection, too large for a batch)
    are listed with the reason in OUT/SPEC-NAME/outcomes.json. Stale files are removed.

    Given a DIR, every spec in it that has a NAME.events.ndjson companion is rendered, with
    NAME.settings.json and NAME.secrets.json when present. For a single SPEC the same
    companions are used unless given explicitly. SPEC or --events may be - (standard
    input); a spec on standard input needs --events, and its fixtures are named after it.

    OPTIONS:
      --events FILE     Events, one JSON object per line (default: NAME.events.ndjson).
      --settings FILE   Setting values, a JSON object (default: NAME.settings.json if present).
      --secrets FILE    Secret values, a JSON object (default: NAME.secrets.json if present).
                        Use test values only: they appear in the fixtures unless --redact.
      -o, --output DIR  Fixture root (default: fixtures).
      --check           Compare with the files on disk instead of writing; print a line diff
                        of every difference, including missing and extra files.
      --format FORMAT   json (default) or http (.http files REST-client editors can send).
      --redact          Replace secret values and derived credentials (Basic auth, bearer
                        tokens, API keys) with <redacted:NAME>. Signatures are kept.

    EXIT CODES:
      0  fixtures written, or --check found them identical
      1  --check found drift, or a spec has errors or cannot be rendered
      2  usage error, or an unreadable or unwritable file

    EXAMPLES:
      dspec render specs/examples
      dspec render specs/examples --check
      dspec render specs/acme.json --events events.ndjson --secrets test.secrets.json -o /tmp/out
    """

    static func run(_ args: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentScanner.parse(args, flags: ["--check", "--redact"], options: ["--events", "--settings", "--secrets", "--output", "--format"],
                                               aliases: ["-o": "--output"])
        } catch {
            return Console.usage(error.message, command: name)
        }
        guard parsed.positionals.count == 1 else { return Console.usage("expected exactly one SPEC or DIR", command: name) }
        guard let format = FixtureFormat(rawValue: parsed.option("--format") ?? "json") else {
            return Console.usage("unknown format \"\(parsed.option("--format") ?? "")\" (expected json or http)", command: name)
        }
        let check = parsed.has("--check")
        let jobs: [FixtureJob]
        do {
            let found = try FixtureRunner.jobs(for: parsed.positionals[0], events: parsed.option("--events"), settings: parsed.option("--settings"),
                                               secrets: parsed.option("--secrets"), output: parsed.option("--output") ?? "fixtures")
            jobs = found.jobs
            for spec in found.skipped { Console.err("dspec render: \(spec): skipped (no \(SpecFileDiscovery.companion(of: spec, suffix: ".events.ndjson")))") }
        } catch {
            return Console.usage(error.message, command: name)
        }
        let runner = FixtureRunner(options: FixtureOptions(format: format, redact: parsed.has("--redact")), check: check)
        var findings = false
        var ioFailure = false
        let reporter = TextReporter(color: Console.colorEnabled)
        for job in jobs {
            var outcome = runner.run(job)
            if case .contractViolations(let violations, let result) = outcome {
                for v in violations { Console.err("dspec render: \(job.specPath): \(v.message)") }
                Console.out("\(job.fixtureDirectory): \(violations.count) contract violation\(violations.count == 1 ? "" : "s") (details on standard error)\n")
                findings = true
                outcome = result
            }
            switch outcome {
            case .contractViolations:
                break
            case .compileErrors(let result):
                Console.err(reporter.format([result]))
                Console.err("dspec render: \(job.specPath) has errors; nothing rendered")
                // Say on stdout too, where the per-spec results are read, why the run fails.
                Console.out("\(job.fixtureDirectory): not rendered: \(job.specPath) has errors (details on standard error)\n")
                findings = true
            case .renderFailed(let message):
                Console.err("dspec render: \(job.specPath): \(message)")
                Console.out("\(job.fixtureDirectory): not rendered (details on standard error)\n")
                findings = true
            case .ioError(let message):
                Console.err("dspec render: \(message)")
                Console.out("\(job.fixtureDirectory): not rendered (details on standard error)\n")
                ioFailure = true
            case .written(let set, let removed):
                Console.out("\(job.fixtureDirectory): \(summary(set))\(removed.isEmpty ? "" : "; removed \(removed.joined(separator: ", "))")\n")
            case .upToDate(let set):
                Console.out("\(job.fixtureDirectory): up to date (\(summary(set)))\n")
            case .drift(_, let drifts):
                Console.out(FixtureComparison.report(drifts, directory: job.fixtureDirectory))
                Console.out("\(job.fixtureDirectory): \(drifts.count) file\(drifts.count == 1 ? "" : "s") differ; review, then run the same command without --check to update\n")
                findings = true
            }
        }
        if ioFailure { return ExitCode.usage }
        return findings ? ExitCode.findings : ExitCode.ok
    }

    private static func summary(_ set: FixtureSet) -> String {
        let requests = set.run.requests.count
        let filtered = set.run.outcomes.filter { $0.status == .filtered }.count
        let failed = set.run.outcomes.filter { $0.status == .failed }.count
        var text = "\(requests) request\(requests == 1 ? "" : "s")"
        if filtered > 0 { text += ", \(filtered) filtered" }
        if failed > 0 { text += ", \(failed) failed (see outcomes.json)" }
        return text
    }
}
