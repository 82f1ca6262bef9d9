import DeliverySpec
import Foundation

/// `dspec diff OLD NEW`
enum DiffCommand: Command {
    static let name = "diff"
    static let summary = "Compare two spec versions by their plans and the requests they produce."
    static let help = """
    USAGE: dspec diff OLD NEW [--events EVENTS.ndjson] [--settings S.json] [--secrets S.json]
                      [--format text|json|markdown|github|html] [--fail-on breaking|risky|any|never]

    OLD and NEW are specs, compiled plans, or git:REV:path (the file at a git revision, e.g.
    git:origin/main:specs/acme.json). Both are compiled and their plans compared after
    normalization, so a key reorder or a default made explicit is no change. With events
    (--events, or NEW's companion NAME.events.ndjson), both plans render the same events and
    the requests are compared too: headers by name, JSON bodies structurally.
    Each change is classified breaking, risky or safe by a rule with a stable id
    (docs/diff-rules.md).

    OPTIONS:
      --events FILE      NDJSON events for the wire diff (default: NEW's companion file if present).
      --settings FILE    Settings for rendering (default: NEW's companion NAME.settings.json).
      --secrets FILE     Secrets for rendering (default: NEW's companion NAME.secrets.json).
      --format FORMAT    text (default), json, markdown, github or html (one
                         self-contained page, changes coloured by class).
      --fail-on LEVEL    breaking (default), risky, any, or never.
      --list-rules       Print the classification rules as a markdown table and exit.

    EXIT CODES: 0 no change at or above --fail-on, 1 such a change, 2 usage, I/O or spec errors.
    """

    static func run(_ args: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentScanner.parse(args, flags: ["--list-rules"], options: ["--events", "--settings", "--secrets", "--format", "--fail-on"])
        } catch {
            return Console.usage(error.message, command: name)
        }
        if parsed.has("--list-rules") {
            Console.out(DiffRuleTable.markdown())
            return ExitCode.ok
        }
        guard parsed.positionals.count == 2 else { return Console.usage("expected OLD and NEW", command: name) }
        let format = parsed.option("--format") ?? "text"
        guard ["text", "json", "markdown", "github", "html"].contains(format) else { return Console.usage("unknown format \"\(format)\"", command: name) }
        let failOn = parsed.option("--fail-on") ?? "breaking"
        let threshold: ChangeClass?
        switch failOn {
        case "breaking": threshold = .breaking
        case "risky": threshold = .risky
        case "any": threshold = .safe
        case "never": threshold = nil
        default: return Console.usage("unknown --fail-on level \"\(failOn)\" (expected breaking, risky, any or never)", command: name)
        }
        let (oldPath, newPath) = (parsed.positionals[0], parsed.positionals[1])
        if let conflict = StandardInput.conflict([("OLD", oldPath), ("NEW", newPath), ("--events", parsed.option("--events")),
                                                  ("--settings", parsed.option("--settings")), ("--secrets", parsed.option("--secrets"))]) {
            return Console.usage(conflict, command: name)
        }
        let companionBase = newPath.hasPrefix("git:") ? nil : newPath
        func companion(_ option: String, _ suffix: String) -> String? {
            if let given = parsed.option(option) { return given }
            guard let base = companionBase else { return nil }
            let path = SpecFileDiscovery.companion(of: base, suffix: suffix)
            return FileManager.default.fileExists(atPath: path) ? path : nil
        }
        let configuration: RenderConfiguration
        var events: [JSONValue]?
        var companions: (settings: CompanionFile.Parsed?, secrets: CompanionFile.Parsed?)
        do {
            func json(_ path: String?, _ what: String) throws -> CompanionFile.Parsed? {
                guard let path else { return nil }
                return try CompanionFile.object(path, what: what).parsed
            }
            companions = (try json(companion("--settings", ".settings.json"), "settings file"), try json(companion("--secrets", ".secrets.json"), "secrets file"))
            configuration = try RenderConfiguration(settings: companions.settings?.value, secrets: companions.secrets?.value)
            if let path = companion("--events", ".events.ndjson") {
                // The NDJSON reader render and test use: lines end at \n (or \r\n) only, so
                // U+2028, U+2029 and U+0085 inside strings are data, not line breaks.
                do {
                    events = try EventStream.parse(try SourceLoader.load(path).bytes).map(\.event)
                } catch let error as EventStreamError {
                    Console.err("dspec diff: \(error.located(in: path))")
                    return ExitCode.usage
                }
            }
        } catch {
            Console.err("dspec diff: \(error)")
            return ExitCode.usage
        }
        let old: DiffSide, new: DiffSide
        do {
            old = try DiffInputLoader.load(oldPath, configuration: configuration)
            new = try DiffInputLoader.load(newPath, configuration: configuration)
        } catch {
            let reporter = TextReporter(color: Console.colorEnabled)
            for d in error.diagnostics { Console.err(reporter.format(d, source: nil)) }
            Console.err("dspec diff: \(error.message)")
            return ExitCode.usage
        }
        // A key either side declares is fine (a setting renamed between OLD and NEW is the diff).
        let unknown = CompanionFile.undeclaredKeys(settings: companions.settings, secrets: companions.secrets, plans: [old.plan, new.plan])
        if !unknown.isEmpty {
            for line in unknown { Console.err(line) }
            return ExitCode.usage
        }
        let report = SpecDiff.compare(old: old, new: new, events: events)
        let formatter = DiffFormatter(oldPath: oldPath, newPath: newPath, old: old, new: new)
        // The wire diff shows rendered URLs and headers: secrets appear as <redacted:NAME>.
        let redactor = configuration.redactor
        switch format {
        case "json": Console.out(redactor.redact(formatter.json(report)))
        case "markdown": Console.out(redactor.redact(formatter.markdown(report)))
        case "github": Console.out(redactor.redact(formatter.github(report)))
        case "html": Console.out(formatter.html(report, redact: redactor.redact))
        default: Console.out(redactor.redact(formatter.text(report)))
        }
        if let threshold, let highest = report.highest, highest >= threshold { return ExitCode.findings }
        return ExitCode.ok
    }
}
