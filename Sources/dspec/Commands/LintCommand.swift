import DeliverySpec

/// `dspec lint PATH...`
enum LintCommand: Command {
    static let name = "lint"
    static let summary = "Check specs and report diagnostics like a compiler."
    static let help = """
    USAGE: dspec lint PATH... [--format text|json] [--strict] [--quiet]

    Checks each spec file (directories are searched recursively for *.json specs; companion
    files such as NAME.secrets.json are skipped) and prints every finding with its file,
    line and column, stable rule code, JSON pointer, hint and "did you mean" suggestion.

    OPTIONS:
      --format FORMAT   text (default) or json.
      --strict          Warnings also fail the run.
      --quiet           Print nothing on success (text format).

    EXIT CODES:
      0  no errors (and no warnings with --strict)
      1  errors found (or warnings with --strict)
      2  usage error, or a path that does not exist

    EXAMPLES:
      dspec lint specs/examples
      dspec lint specs/acme.json --format json
    """

    static func run(_ args: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentScanner.parse(args, flags: ["--strict", "--quiet"], options: ["--format"])
        } catch {
            return Console.usage(error.message, command: name)
        }
        let format = parsed.option("--format") ?? "text"
        guard ["text", "json"].contains(format) else { return Console.usage("unknown format \"\(format)\" (expected text or json)", command: name) }
        guard !parsed.positionals.isEmpty else { return Console.usage("no spec paths given", command: name) }
        let (results, usageProblems) = LintRunner().lint(paths: parsed.positionals)
        for p in usageProblems { Console.err("dspec lint: \(p)") }
        let all = results.flatMap(\.diagnostics).filter { $0.suppression == nil }
        let errors = all.filter { $0.severity == .error }.count
        let warnings = all.filter { $0.severity == .warning }.count
        switch format {
        case "json":
            Console.out(JSONReporter().format(results))
        default:
            if !(parsed.has("--quiet") && all.isEmpty) {
                Console.out(TextReporter(color: Console.colorEnabled).format(results))
            }
        }
        if !usageProblems.isEmpty { return ExitCode.usage }
        if errors > 0 || (parsed.has("--strict") && warnings > 0) { return ExitCode.findings }
        return ExitCode.ok
    }
}
