import DSJSON

/// A template for per-event failures inside a successful batch response, as batch APIs report
/// them (Mixpanel's `failed_records`, Google Ads' `partialFailureError`, ...).
///
/// Given the request body (a JSON array, an object holding the array at `items`, or NDJSON),
/// it chooses the failed elements and inserts one `error` object per failure into the
/// response body at `errorsAt`. Inside `error`, the string `"@index"` becomes the element's
/// index as a number, `"@/pointer"` becomes the element's value at that pointer, and within
/// other strings `{{index}}` and `{{/pointer}}` are replaced by their text.
public struct MockPartialFailure: Sendable {
    /// Which elements fail.
    public enum Selection: Sendable, Equatable {
        /// Every `n`th element: indexes n-1, 2n-1, ... (1-based multiples of n).
        case every(Int)
        /// These 0-based indexes.
        case indexes([Int])
        /// Elements whose value at `pointer`, as text, is one of `values`.
        case valueIn(pointer: String, values: [String])
        /// Elements whose value at `pointer`, as text, contains `text`.
        case valueContains(pointer: String, text: String)
    }

    /// Pointer to the array in the request body; empty when the body is the array itself.
    public var items: String
    /// Which elements fail.
    public var selection: Selection
    /// Pointer in the response body where the errors array goes; missing objects on the way
    /// are created.
    public var errorsAt: String
    /// The error object for one failed element.
    public var error: JSONValue

    /// Creates a template.
    public init(items: String = "", selection: Selection, errorsAt: String, error: JSONValue) {
        self.items = items
        self.selection = selection
        self.errorsAt = errorsAt
        self.error = error
    }

    /// The failed indexes for a batch, in order; nil when the body holds no batch array.
    public func failedIndexes(in body: [UInt8]) -> [Int]? {
        guard let elements = elements(of: body) else { return nil }
        return failedIndexes(elements)
    }

    private func failedIndexes(_ elements: [JSONValue]) -> [Int] {
        switch selection {
        case .every(let n):
            guard n > 0 else { return [] }
            return stride(from: n - 1, to: elements.count, by: n).map { $0 }
        case .indexes(let list):
            return list.filter { $0 >= 0 && $0 < elements.count }
        case .valueIn(let pointer, let values):
            return elements.indices.filter { i in
                JSONPointer.resolve(pointer, in: elements[i]).map { values.contains(Self.text($0)) } ?? false
            }
        case .valueContains(let pointer, let text):
            return elements.indices.filter { i in
                JSONPointer.resolve(pointer, in: elements[i]).map { Self.text($0).contains(text) } ?? false
            }
        }
    }

    /// The response body: `base` (or an empty object) with the errors array inserted.
    /// A request body that holds no batch gets `base` unchanged.
    func responseBody(base: JSONValue?, requestBody: [UInt8]) -> [UInt8] {
        let root = base ?? .object(JSONObject())
        guard let elements = elements(of: requestBody) else { return JSONWriter.bytes(root) }
        let errors = failedIndexes(elements).map { i in substitute(error, index: i, element: elements[i]) }
        guard let tokens = JSONPointer.tokens(errorsAt) else { return JSONWriter.bytes(root) }
        return JSONWriter.bytes(Self.inserting(.array(errors), at: tokens[...], into: root))
    }

    /// The batch elements: a JSON array body, the array at `items`, or NDJSON lines.
    private func elements(of body: [UInt8]) -> [JSONValue]? {
        if let value = try? JSONParser().parseValue(body) {
            return JSONPointer.resolve(items, in: value)?.arrayValue
        }
        var lines: [JSONValue] = []
        for line in body.split(separator: 0x0A) where !line.isEmpty {
            guard let v = try? JSONParser().parseValue(Array(line)) else { return nil }
            lines.append(v)
        }
        return lines.isEmpty ? nil : lines
    }

    private func substitute(_ template: JSONValue, index: Int, element: JSONValue) -> JSONValue {
        switch template {
        case .string(let s):
            if s == "@index" { return .int(index) }
            if s.hasPrefix("@/") { return JSONPointer.resolve(String(s.dropFirst()), in: element) ?? .null }
            return .string(expand(s, index: index, element: element))
        case .array(let a):
            return .array(a.map { substitute($0, index: index, element: element) })
        case .object(let o):
            var out = JSONObject()
            for (k, v) in o { out[k] = substitute(v, index: index, element: element) }
            return .object(out)
        default:
            return template
        }
    }

    /// Replaces `{{index}}` and `{{/pointer}}` inside a string.
    private func expand(_ s: String, index: Int, element: JSONValue) -> String {
        guard s.contains("{{") else { return s }
        var out = ""
        var rest = Substring(s)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else { out += rest[open.lowerBound...]; return out }
            let name = rest[open.upperBound..<close.lowerBound]
            if name == "index" {
                out += String(index)
            } else if name.hasPrefix("/") || name.isEmpty {
                out += JSONPointer.resolve(String(name), in: element).map(Self.text) ?? ""
            } else {
                out += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// A value's text: strings as they are, anything else as compact JSON.
    static func text(_ v: JSONValue) -> String {
        if case .string(let s) = v { return s }
        return JSONWriter.string(v)
    }

    /// Places `value` at `tokens` inside `root`, creating objects for missing members.
    static func inserting(_ value: JSONValue, at tokens: ArraySlice<String>, into root: JSONValue) -> JSONValue {
        guard let token = tokens.first else { return value }
        switch root {
        case .array(var a):
            guard let i = Int(token), i >= 0, i < a.count else { return root }
            a[i] = inserting(value, at: tokens.dropFirst(), into: a[i])
            return .array(a)
        case .object(var o):
            o[token] = inserting(value, at: tokens.dropFirst(), into: o[token] ?? .object(JSONObject()))
            return .object(o)
        default:
            var o = JSONObject()
            o[token] = inserting(value, at: tokens.dropFirst(), into: .object(JSONObject()))
            return .object(o)
        }
    }
}
