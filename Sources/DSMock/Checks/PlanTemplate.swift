import DSJSON

/// The small subset of the template language the mock evaluates on its own: literal text,
/// `{{@secrets.NAME}}`, `{{@settings.NAME}}` and the signing variables (`{{@body}}`,
/// `{{@timestamp}}`, `{{@request_id}}`, `{{@method}}`, `{{@path}}`, `{{@url}}`,
/// `{{@signature}}`), in double or triple braces.
///
/// The mock deliberately does not use the real template engine: an independent verifier that
/// shared the renderer's code would share its bugs. Credential and signing templates are
/// this simple in every compiled plan; anything richer (helpers, event fields, blocks) makes
/// ``init(_:)`` return nil and the check is reported as not verifiable.
struct PlanTemplate: Sendable, Equatable {
    /// One piece of a template.
    enum Part: Sendable, Equatable {
        case literal([UInt8])
        case secret(String)
        case setting(String)
        /// A signing variable by name: body, timestamp, request_id, method, path, url, signature.
        case variable(String)
    }

    /// The pieces in order.
    let parts: [Part]

    static let variables: Set<String> = ["body", "timestamp", "request_id", "method", "path", "url", "signature", "form_sorted"]

    /// Parses `source`; nil if it uses anything beyond the supported subset.
    init?(_ source: String) {
        var parts: [Part] = []
        var literal: [UInt8] = []
        let b = Array(source.utf8)
        var i = 0
        while i < b.count {
            guard b[i] == UInt8(ascii: "{"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "{") else {
                literal.append(b[i])
                i += 1
                continue
            }
            // Handlebars escapes `\{{`; such templates are outside the subset.
            if i > 0, b[i - 1] == UInt8(ascii: "\\") { return nil }
            let triple = i + 2 < b.count && b[i + 2] == UInt8(ascii: "{")
            let open = triple ? 3 : 2
            let closer: [UInt8] = Array((triple ? "}}}" : "}}").utf8)
            guard let end = Self.find(closer, in: b, from: i + open) else { return nil }
            let inner = String(decoding: b[(i + open)..<end], as: UTF8.self).trimmingCharacters(inSetOf: " \t")
            guard let part = Self.part(inner) else { return nil }
            if !literal.isEmpty { parts.append(.literal(literal)); literal = [] }
            parts.append(part)
            i = end + closer.count
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    private static func part(_ inner: String) -> Part? {
        func name(after prefix: String) -> String? {
            guard inner.hasPrefix(prefix) else { return nil }
            var n = String(inner.dropFirst(prefix.count))
            if n.hasPrefix("["), n.hasSuffix("]") { n = String(n.dropFirst().dropLast()) }
            guard !n.isEmpty, !n.contains(" ") else { return nil }
            return n
        }
        if let n = name(after: "@secrets.") { return .secret(n) }
        if let n = name(after: "@settings.") { return .setting(n) }
        if inner.hasPrefix("@"), variables.contains(String(inner.dropFirst())) { return .variable(String(inner.dropFirst())) }
        return nil
    }

    private static func find(_ needle: [UInt8], in b: [UInt8], from: Int) -> Int? {
        guard from <= b.count - needle.count else { return nil }
        var i = from
        while i <= b.count - needle.count {
            if b[i] == needle[0], Array(b[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }

    /// The secret names the template reads.
    var secretNames: [String] { parts.compactMap { if case .secret(let n) = $0 { return n }; return nil } }

    /// True if the template reads `variable`.
    func uses(_ variable: String) -> Bool { parts.contains(.variable(variable)) }

    /// Renders with the given values; throws naming the first missing one.
    func render(_ values: TemplateValues, variables: [String: [UInt8]] = [:]) throws(CheckSetupError) -> [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            switch part {
            case .literal(let l): out += l
            case .secret(let n):
                guard let v = values.secrets[n] else { throw CheckSetupError("no value for secret \"\(n)\"") }
                out += Array(v.utf8)
            case .setting(let n):
                guard let v = values.settings[n] else { throw CheckSetupError("no value for setting \"\(n)\"") }
                out += Array(Self.text(v).utf8)
            case .variable(let n):
                guard let v = variables[n] else { throw CheckSetupError("no value for @\(n)") }
                out += v
            }
        }
        return out
    }

    /// Renders to a string.
    func string(_ values: TemplateValues) throws(CheckSetupError) -> String {
        String(decoding: try render(values), as: UTF8.self)
    }

    /// A setting value's text, as text-mode rendering writes it.
    static func text(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return s
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n.text
        default: return JSONWriter.string(v)
        }
    }
}

/// Secret and setting values the templates read.
struct TemplateValues: Sendable {
    var secrets: [String: String]
    var settings: [String: JSONValue]
}

/// Why a check could not be prepared or evaluated (a missing secret, an unsupported
/// template). Never includes secret values.
struct CheckSetupError: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}

extension String {
    /// The string without leading and trailing characters from `set`.
    func trimmingCharacters(inSetOf set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
