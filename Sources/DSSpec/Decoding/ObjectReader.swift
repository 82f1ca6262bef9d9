import DSCore
import DSJSON

/// Reads one JSON object of the spec into typed values, reporting shape problems (wrong
/// type, unknown key with "did you mean", invalid enum word) to the collector. Every
/// accessor returns nil after reporting, so decoding continues and one run reports every
/// problem in the file instead of the first.
final class ObjectReader {
    let node: JSONNode
    let location: SpecPointer
    let diagnostics: DiagnosticCollector
    let allowedKeys: [String]

    /// Returns nil (after reporting) if the node is not an object.
    init?(_ node: JSONNode, pointer: SpecPointer, allowed: [String], diagnostics: DiagnosticCollector, what: @autoclosure () -> String) {
        guard node.isObject else {
            diagnostics.emit(DecodingRules.wrongType, "\(what()) must be an object, not \(node.typeName)", span: node.span, pointer: Self.shown(pointer.string))
            return nil
        }
        self.node = node
        self.location = pointer
        self.diagnostics = diagnostics
        self.allowedKeys = allowed
    }

    /// The object's pointer text (formed on each read).
    var pointer: String { location.string }

    var located: Located<Void> { Located((), span: node.span, at: location) }

    func path(_ key: String) -> SpecPointer { location.appending(key) }

    /// The root pointer is shown as "/" in a diagnostic.
    static func shown(_ pointer: String) -> String { pointer.isEmpty ? "/" : pointer }

    /// Reports keys outside the allowed list. `$schema`, `$comment` and `x-*` are always allowed.
    /// At most this many unknown keys are reported per object (a generated file can hold
    /// thousands; each report costs a line scan and a screen of output).
    static let maxUnknownKeyReports = 100

    func reportUnknownKeys() {
        let members = node.members
        guard !members.isEmpty else { return }
        // The allowed words' first bytes, read once per object rather than once per member
        // and word (a spec's objects are read by the dozen).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(allowedKeys.count, 1)) { firsts in
            for (i, word) in allowedKeys.enumerated() { firsts[i] = JSONMember.asciiFirstByte(word) }
            var reported = 0
            for index in members.indices {
                // Read in place: only an unknown key's member is copied out.
                if members.withUnsafeBufferPointer({ Self.isAllowed($0[index], allowedKeys, firsts: firsts) }) { continue }
                let member = members[index]
                let key = member.key
                if key.hasPrefix("x-") || key == "$schema" || key == "$comment" { continue }
                reported += 1
                if reported > Self.maxUnknownKeyReports {
                    diagnostics.emit(DecodingRules.unknownKey, "more unknown keys in this object are not reported (limit \(Self.maxUnknownKeyReports))",
                                     span: member.keySpan, pointer: path(key).string)
                    return
                }
                let suggestion = Suggestions.closest(to: key, in: allowedKeys)
                let message = suggestion.map { "unknown key \"\(key)\"; did you mean \"\($0)\"?" } ?? "unknown key \"\(key)\""
                let valid = allowedKeys.isEmpty ? "" : "Valid keys here: \(allowedKeys.joined(separator: ", "))."
                diagnostics.emit(DecodingRules.unknownKey, message, span: member.keySpan, pointer: path(key).string,
                                 hint: valid, suggestion: suggestion)
            }
        }
    }

    /// Whether a member's key is in `allowed` (`allowed.contains(member.key)`), skipping words
    /// whose ASCII first byte (`firsts[i]`, 0 when not ASCII) differs from the key's (see
    /// `JSONNode.member`).
    static func isAllowed(_ member: borrowing JSONMember, _ allowed: [String], firsts: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        let first = member.keyFirstByte
        guard first != 0 else { return allowed.contains(member.key) }
        for i in allowed.indices {
            let wordFirst = firsts[i]
            if wordFirst != 0, wordFirst != first { continue }
            if allowed[i] == member.key { return true }
        }
        return false
    }

    func member(_ key: String) -> JSONMember? { node.member(key) }

    func has(_ key: String) -> Bool { node[key] != nil }

    func wrongType(_ key: String, _ value: JSONNode, expected: String) {
        diagnostics.emit(DecodingRules.wrongType, "\"\(key)\" must be \(expected), not \(value.typeName)", span: value.span, pointer: path(key).string)
    }

    func requireMissing(_ key: String, what: @autoclosure () -> String) {
        diagnostics.emit(DecodingRules.missingField, "\(what()) is missing the required field \"\(key)\"", span: SourceSpan(start: node.span.start, end: node.span.start + 1), pointer: Self.shown(pointer))
    }

    func string(_ key: String, required: Bool = false, what: String = "this object") -> Located<String>? {
        guard let v = node[key] else {
            if required { requireMissing(key, what: what) }
            return nil
        }
        guard let s = v.stringValue else {
            wrongType(key, v, expected: "a string")
            return nil
        }
        return Located(s, span: v.span, pointer: path(key))
    }

    func bool(_ key: String) -> Located<Bool>? {
        guard let v = node[key] else { return nil }
        guard let b = v.boolValue else {
            wrongType(key, v, expected: "true or false")
            return nil
        }
        return Located(b, span: v.span, pointer: path(key))
    }

    func int(_ key: String, min: Int? = nil, max: Int? = nil, required: Bool = false, what: String = "this object") -> Located<Int>? {
        guard let v = node[key] else {
            if required { requireMissing(key, what: what) }
            return nil
        }
        guard let n = v.numberValue, n.isIntegerLiteral, let i = n.intValue else {
            wrongType(key, v, expected: "an integer")
            return nil
        }
        if let min, i < min {
            diagnostics.emit(DecodingRules.invalidValue, "\"\(key)\" must be at least \(min), got \(i)", span: v.span, pointer: path(key).string)
            return nil
        }
        if let max, i > max {
            diagnostics.emit(DecodingRules.invalidValue, "\"\(key)\" must be at most \(max), got \(i)", span: v.span, pointer: path(key).string)
            return nil
        }
        return Located(i, span: v.span, pointer: path(key))
    }

    /// An integer within a documented range (DS0104 outside it).
    func int(_ key: String, range: NumericRange, required: Bool = false, what: String = "this object") -> Located<Int>? {
        int(key, min: range.minInt, max: range.maxInt, required: required, what: what)
    }

    func double(_ key: String) -> Located<Double>? {
        guard let v = node[key] else { return nil }
        guard let n = v.numberValue else {
            wrongType(key, v, expected: "a number")
            return nil
        }
        return Located(n.doubleValue, span: v.span, pointer: path(key))
    }

    func enumeration<E: RawRepresentable & CaseIterable & Sendable>(_ key: String, _ type: E.Type, required: Bool = false, what: String = "this object") -> Located<E>? where E.RawValue == String {
        guard let s = string(key, required: required, what: what) else { return nil }
        return Self.enumeration(s, type, diagnostics: diagnostics, field: key)
    }

    static func enumeration<E: RawRepresentable & CaseIterable & Sendable>(_ s: Located<String>, _ type: E.Type, diagnostics: DiagnosticCollector, field: String) -> Located<E>? where E.RawValue == String {
        if let e = E(rawValue: s.value) { return Located(e, span: s.span, at: s.location) }
        let words = E.allCases.map(\.rawValue)
        let suggestion = Suggestions.closest(to: s.value, in: words)
        var message = "\"\(s.value)\" is not a valid \(field); expected one of \(words.map { "\"\($0)\"" }.joined(separator: ", "))"
        if let suggestion { message += "; did you mean \"\(suggestion)\"?" }
        diagnostics.emit(DecodingRules.invalidValue, message, span: s.span, pointer: s.pointer, suggestion: suggestion)
        return nil
    }

    func object(_ key: String, allowed: [String], required: Bool = false, what: String = "this object") -> ObjectReader? {
        guard let v = node[key] else {
            if required { requireMissing(key, what: what) }
            return nil
        }
        return ObjectReader(v, pointer: path(key), allowed: allowed, diagnostics: diagnostics, what: "\"\(key)\"")
    }

    func array(_ key: String) -> (node: JSONNode, elements: [JSONNode])? {
        guard let v = node[key] else { return nil }
        guard let elements = v.elements else {
            wrongType(key, v, expected: "an array")
            return nil
        }
        return (v, elements)
    }

    /// A list of strings, accepting a single string as a one-element list.
    func stringList(_ key: String) -> Located<[Located<String>]>? {
        guard let v = node[key] else { return nil }
        if let s = v.stringValue {
            return Located([Located(s, span: v.span, pointer: path(key))], span: v.span, pointer: path(key))
        }
        guard let elements = v.elements else {
            wrongType(key, v, expected: "an array of strings")
            return nil
        }
        var out: [Located<String>] = []
        let list = path(key)
        for (i, e) in elements.enumerated() {
            let p = list.appending(i)
            guard let s = e.stringValue else {
                diagnostics.emit(DecodingRules.wrongType, "elements of \"\(key)\" must be strings, not \(e.typeName)", span: e.span, pointer: p.string)
                continue
            }
            out.append(Located(s, span: e.span, pointer: p))
        }
        return Located(out, span: v.span, pointer: path(key))
    }

    /// The raw node of a member, with no type check.
    func raw(_ key: String) -> JSONNode? { node[key] }
}
