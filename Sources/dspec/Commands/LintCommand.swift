import DeliverySpec
import Foundation

/// `dspec lint PATH...`
enum LintCommand: Command {
    static let name = "lint"
    static let summary = "Check specs and report diagnostics like a compiler."
    static let help = """
    USAGE: dspec lint PATH... [--format text|json|sarif|github|junit] [--fail-on error|warning|never]
                              [--strict] [--baseline FILE] [--write-baseline FILE] [--quiet]

    Checks each spec file (directories are searched recursively for *.json specs; companion
    files such as NAME.secrets.json are skipped) and prints every finding with its file,
    line and column, stable rule code, JSON pointer, hint and "did you mean" suggestion.
    Findings covered by an inline suppression in the spec ("lint": {"suppress": [...]}) are
    reported as suppressed and do not fail the run. A PATH of - reads a spec from standard
    input (reported as <stdin>).

    OPTIONS:
      --format FORMAT        text (default), json, sarif (SARIF 2.1.0 for code scanning),
                             github (workflow annotations) or junit (JUnit XML).
      --fail-on LEVEL        error (default): exit 1 on errors; warning: also on warnings;
                             never: always exit 0 unless usage/I/O fails.
      --strict               Same as --fail-on warning.
      --baseline FILE        Report only findings not recorded in FILE.
      --write-baseline FILE  Record today's findings in FILE (and exit 0).
      --quiet                Print nothing when there are no findings (text format).

    EXIT CODES:
      0  nothing at or above the --fail-on level
      1  findings at or above the --fail-on level
      2  usage error, or a path that does not exist

    EXAMPLES:
      dspec lint specs/examples
      dspec lint specs --format sarif > dspec.sarif
      dspec lint specs --baseline .dspec-baseline.json
    """

    static func run(_ args: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentScanner.parse(args, flags: ["--strict", "--quiet"],
                                               options: ["--format", "--fail-on", "--baseline", "--write-baseline"])
        } catch {
            return Console.usage(error.message, command: name)
        }
        let format = parsed.option("--format") ?? "text"
        guard ["text", "json", "sarif", "github", "junit"].contains(format) else {
            return Console.usage("unknown format \"\(format)\" (expected text, json, sarif, github or junit)", command: name)
        }
        var failOn = parsed.option("--fail-on") ?? "error"
        guard ["error", "warning", "never"].contains(failOn) else {
            return Console.usage("unknown --fail-on level \"\(failOn)\" (expected error, warning or never)", command: name)
        }
        if parsed.has("--strict") { failOn = "warning" }
        guard !parsed.positionals.isEmpty else { return Console.usage("no spec paths given", command: name) }

        let baselines = parsed.option("--write-baseline") != nil || parsed.option("--baseline") != nil
        if format == "text", !baselines {
            // The common case: each file's text is formed on the thread that linted it.
            return runText(parsed, failOn: failOn)
        }
        // Parsed documents are kept only where fingerprints are computed.
        let keepsDocuments = baselines || format == "sarif"
        var (results, usageProblems) = LintRunner().lint(paths: parsed.positionals) { r in
            var r = r
            if !keepsDocuments { r.document = nil }
            return r
        }
        for p in usageProblems { Console.err("dspec lint: \(p)") }

        if let path = parsed.option("--write-baseline") {
            let baseline = Baseline(results: results)
            do {
                try OutputFile.write(Array(baseline.fileContents.utf8), to: path)
            } catch {
                Console.err("dspec lint: \(error.message)")
                return ExitCode.usage
            }
            Console.err("dspec lint: recorded \(Plural.count(baseline.fingerprints.count, "finding")) in \(path)")
            return usageProblems.isEmpty ? ExitCode.ok : ExitCode.usage
        }
        if let path = parsed.option("--baseline") {
            do {
                let baseline = try Baseline(contentsOf: path)
                let filtered = baseline.filter(results)
                results = filtered.results
                if filtered.baselined > 0 { Console.err("dspec lint: \(Plural.count(filtered.baselined, "finding")) matched the baseline \(path)") }
            } catch {
                Console.err("dspec lint: cannot read baseline: \(error)")
                return ExitCode.usage
            }
        }

        let active = results.flatMap(\.diagnostics).filter { $0.suppression == nil }
        switch format {
        case "json": Console.out(JSONReporter().format(results))
        case "sarif": Console.out(SARIFReporter(toolVersion: toolVersion, sourceRoot: FileManager.default.currentDirectoryPath).format(results))
        case "github": Console.out(GitHubAnnotationReporter().format(results))
        case "junit": Console.out(JUnitReporter().format(results))
        default:
            if !(parsed.has("--quiet") && active.isEmpty) {
                Console.out(TextReporter(color: Console.colorEnabled).format(results))
            }
        }
        if !usageProblems.isEmpty { return ExitCode.usage }
        return exitCode(failOn: failOn, errors: active.contains { $0.severity == .error }, warnings: active.contains { $0.severity == .warning })
    }

    static func exitCode(failOn: String, errors: Bool, warnings: Bool) -> Int32 {
        let failing: Bool
        switch failOn {
        case "never": failing = false
        case "warning": failing = errors || warnings
        default: failing = errors
        }
        return failing ? ExitCode.findings : ExitCode.ok
    }

    /// `--format text` without baselines: every file's report is formatted by the worker that
    /// linted it (``TextReporter/FilePart``), then joined in order; the same bytes as
    /// formatting all results at the end.
    private static func runText(_ parsed: ParsedArguments, failOn: String) -> Int32 {
        struct FileOutcome: Sendable {
            var part: TextReporter.FilePart
            var active = 0
            var errors = false, warnings = false
        }
        let reporter = TextReporter(color: Console.colorEnabled)
        let (outcomes, usageProblems) = LintRunner().lint(paths: parsed.positionals) { r in
            var o = FileOutcome(part: TextReporter.FilePart(r, reporter: reporter))
            for d in r.diagnostics where d.suppression == nil {
                o.active += 1
                if d.severity == .error { o.errors = true } else if d.severity == .warning { o.warnings = true }
            }
            return o
        }
        for p in usageProblems { Console.err("dspec lint: \(p)") }
        let active = outcomes.reduce(0) { $0 + $1.active }
        if !(parsed.has("--quiet") && active == 0) {
            Console.out(reporter.format(outcomes.map(\.part)))
        }
        if !usageProblems.isEmpty { return ExitCode.usage }
        return exitCode(failOn: failOn, errors: outcomes.contains { $0.errors }, warnings: outcomes.contains { $0.warnings })
    }
}
