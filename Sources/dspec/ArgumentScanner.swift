import DeliverySpec

/// Splits a command's arguments into positionals, boolean flags and valued options, with
/// a usage error for anything unknown. Small on purpose: the CLI takes no dependencies.
struct ParsedArguments {
    var positionals: [String] = []
    var flags: Set<String> = []
    var options: [String: String] = [:]
    /// Every value of a repeatable option, in order.
    var repeated: [String: [String]] = [:]

    func option(_ name: String) -> String? { options[name] }
    func values(_ name: String) -> [String] { repeated[name] ?? options[name].map { [$0] } ?? [] }
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
    ///   - repeatable: options that may be given more than once (see `values`); any other
    ///     option given twice is an error, never a silent overwrite.
    static func parse(_ args: [String], flags: Set<String>, options: Set<String>, aliases: [String: String] = [:],
                      repeatable: Set<String> = []) throws(UsageError) -> ParsedArguments {
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
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard i < args.count else { throw UsageError(message: "\(arg) needs a value") }
                    let next = args[i]
                    // `--format --quiet`: the next word is an option, not this one's value.
                    // `-` (standard input) is a value; `--format=-x` passes a value starting with -.
                    if next != "-" && next.hasPrefix("-") && (next.hasPrefix("--") || aliases[next] != nil || next == "-h" || Double(next) == nil) {
                        throw UsageError(message: "\(arg) needs a value, but the next argument is the option \(next) (use \(arg)=VALUE for a value starting with -)")
                    }
                    value = next
                    i += 1
                }
                if repeatable.contains(arg) {
                    result.repeated[arg, default: []].append(value)
                    result.options[arg] = value
                } else {
                    if let first = result.options[arg] {
                        throw UsageError(message: "\(arg) given twice (\"\(first)\" and \"\(value)\"); give it once")
                    }
                    result.options[arg] = value
                }
            } else {
                let known = Array(flags) + Array(options) + Array(aliases.keys)
                var message = "unknown option \(arg)"
                if let s = Suggestions.closest(to: arg, in: known.sorted()) { message += "; did you mean \(s)?" }
                throw UsageError(message: message)
            }
        }
        return result
    }
}
