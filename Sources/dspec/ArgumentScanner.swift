/// Splits a command's arguments into positionals, boolean flags and valued options, with
/// a usage error for anything unknown. Small on purpose: the CLI takes no dependencies.
struct ParsedArguments {
    var positionals: [String] = []
    var flags: Set<String> = []
    var options: [String: String] = [:]

    func option(_ name: String) -> String? { options[name] }
    func has(_ flag: String) -> Bool { flags.contains(flag) }
}

/// A command-line usage error (exit code 2).
struct UsageError: Error {
    let message: String
}

enum ArgumentScanner {
    /// - Parameters:
    ///   - flags: accepted boolean flags, e.g. `--strict`.
    ///   - options: accepted options taking a value, e.g. `--format` (also `--format=json`).
    ///   - aliases: short forms, e.g. `-o` -> `--output`.
    static func parse(_ args: [String], flags: Set<String>, options: Set<String>, aliases: [String: String] = [:]) throws(UsageError) -> ParsedArguments {
        var result = ParsedArguments()
        var i = 0
        var onlyPositionals = false
        while i < args.count {
            var arg = args[i]
            i += 1
            if onlyPositionals || arg == "-" || !arg.hasPrefix("-") {
                result.positionals.append(arg)
                continue
            }
            if arg == "--" { onlyPositionals = true; continue }
            if let full = aliases[arg] { arg = full }
            var inlineValue: String?
            if let eq = arg.firstIndex(of: "="), arg.hasPrefix("--") {
                inlineValue = String(arg[arg.index(after: eq)...])
                arg = String(arg[..<eq])
            }
            if flags.contains(arg) {
                if inlineValue != nil { throw UsageError(message: "\(arg) takes no value") }
                result.flags.insert(arg)
            } else if options.contains(arg) {
                if let inlineValue {
                    result.options[arg] = inlineValue
                } else {
                    guard i < args.count else { throw UsageError(message: "\(arg) needs a value") }
                    result.options[arg] = args[i]
                    i += 1
                }
            } else {
                let known = Array(flags) + Array(options)
                var message = "unknown option \(arg)"
                if let s = closest(arg, known) { message += "; did you mean \(s)?" }
                throw UsageError(message: message)
            }
        }
        return result
    }

    private static func closest(_ word: String, _ candidates: [String]) -> String? {
        candidates.filter { $0.hasPrefix(String(word.prefix(4))) }.sorted().first
    }
}
