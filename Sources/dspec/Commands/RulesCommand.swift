import DeliverySpec

/// `dspec rules [CODE]`
enum RulesCommand: Command {
    static let name = "rules"
    static let summary = "List every diagnostic rule, or explain one."
    static let help = """
    USAGE: dspec rules [CODE] [--format text|json]

    Without CODE, lists every rule: code, default severity, name and summary. With CODE
    (e.g. DS0201), prints that rule's summary and fix. docs/rules.md has bad and good
    examples for each rule.

    EXIT CODES: 0 success, 2 unknown rule code.
    """

    static func run(_ args: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentScanner.parse(args, flags: [], options: ["--format"])
        } catch {
            return Console.usage(error.message, command: name)
        }
        let format = parsed.option("--format") ?? "text"
        guard ["text", "json"].contains(format) else { return Console.usage("unknown format \"\(format)\"", command: name) }
        if format == "json" {
            let rules: [JSONValue] = RuleCatalog.all.filter { parsed.positionals.isEmpty || parsed.positionals.contains($0.code) }.map { r in
                ["code": .string(r.code), "name": .string(r.name), "severity": .string(r.severity.rawValue),
                 "summary": .string(r.summary), "hint": r.defaultHint.map { .string($0) } ?? .null]
            }
            Console.out(JSONWriter.string(.array(rules), style: .pretty) + "\n")
            return ExitCode.ok
        }
        if let code = parsed.positionals.first {
            guard let rule = RuleCatalog.descriptor(code.uppercased()) else {
                return Console.usage("unknown rule \"\(code)\"", command: name)
            }
            Console.out("\(rule.code) \(rule.name) (\(rule.severity.rawValue))\n  \(rule.summary)\n")
            if let hint = rule.defaultHint { Console.out("  fix: \(hint)\n") }
            return ExitCode.ok
        }
        for rule in RuleCatalog.all {
            Console.out("\(rule.code)  \(rule.severity.rawValue.padding(8))  \(rule.name.padding(34))  \(rule.summary)\n")
        }
        return ExitCode.ok
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
