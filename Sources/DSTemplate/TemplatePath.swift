import DSJSON

/// A single Handlebars path outside a template (`a.b`, `[odd key].c`, `@settings.region`,
/// `@root.x`), as the mapping language's `@path` and `@each` use it. Parsed by the template
/// lexer, so the syntax is exactly the template's.
public struct TemplatePath: Sendable, Hashable {
    /// Segments after the `@name` (for data paths) or `@root`.
    public var segments: [String]
    /// The data variable name for `@name...` paths (`settings`, `index`), nil for event paths.
    public var dataName: String?
    /// True for `@root...`: read from the event root even where the current root is an element.
    public var isRoot: Bool
    /// The text as written.
    public var source: String

    /// Parses a path; throws with the offset of the problem within the text.
    public static func parse(_ text: String) throws(TemplateSyntaxError) -> TemplatePath {
        guard !text.isEmpty else { throw TemplateSyntaxError(message: "empty path", offset: 0, length: 0) }
        if let simple = simplePath(text) { return simple }
        return try parseWithParser(text)
    }

    /// The path as the template parser reads it (every path the fast path declines, and the
    /// reference the fast path is tested against).
    static func parseWithParser(_ text: String) throws(TemplateSyntaxError) -> TemplatePath {
        // Parse as the only expression of a template and take its path.
        let wrapped = "{{" + text + "}}"
        let ast: ASTProgram
        do {
            ast = try Parser.parse(Array(wrapped.utf8))
        } catch {
            throw TemplateSyntaxError(message: error.message, offset: max(0, error.offset - 2), length: error.length)
        }
        guard ast.body.count == 1, case .mustache(let m) = ast.body[0], !m.call.hasArguments, m.call.name.depth == 0 else {
            throw TemplateSyntaxError(message: "'\(text)' is not a single path (write a.b.c, [literal key], @settings.x or @root.x)", offset: 0, length: text.utf8.count)
        }
        let path = m.call.name
        if path.isData {
            guard let name = path.parts.first else { throw TemplateSyntaxError(message: "'@' must be followed by a name", offset: 0, length: 1) }
            if name == "root" {
                return TemplatePath(segments: Array(path.parts.dropFirst()), dataName: nil, isRoot: true, source: text)
            }
            return TemplatePath(segments: Array(path.parts.dropFirst()), dataName: name, isRoot: false, source: text)
        }
        return TemplatePath(segments: path.parts, dataName: nil, isRoot: false, source: text)
    }

    /// Fast path for the common `a.b.c` / `@settings.x` / `@root.x` form (plain identifier
    /// segments): split directly instead of running the template parser. Anything else
    /// (literal segments, `this`, `../`, odd characters) takes the full parser. One pass
    /// checks the bytes and counts the segments; the segment strings are then made once, into
    /// an array of the right size (`TemplatePathTests` compares it with the parser).
    private static func simplePath(_ text: String) -> TemplatePath? {
        var text = text
        let source = text
        return text.withUTF8 { bytes -> TemplatePath? in
            let n = bytes.count
            let isData = n > 0 && bytes[0] == 0x40
            let start = isData ? 1 : 0
            var count = 1
            var segmentStart = start
            var i = start
            while i < n {
                let b = bytes[i]
                if b == 0x2E {
                    if i == segmentStart { return nil }
                    count += 1
                    segmentStart = i + 1
                } else if !((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D || b == 0x24) {
                    return nil
                }
                i += 1
            }
            if segmentStart == n { return nil }
            // A segment that could start a number (a digit or `-`) or is a keyword (`this`, `true`,
            // `false`, `null`, `undefined`) takes the parser: it accepts or rejects those exactly
            // as a template does.
            var s = start
            var j = start
            while j <= n {
                if j == n || bytes[j] == 0x2E {
                    let segment = UnsafeBufferPointer(rebasing: bytes[s..<j])
                    if (segment[0] >= 0x30 && segment[0] <= 0x39) || segment[0] == 0x2D || Self.equals(segment, "this") || Self.equals(segment, "true") || Self.equals(segment, "false")
                        || Self.equals(segment, "null") || Self.equals(segment, "undefined") { return nil }
                    s = j + 1
                }
                j += 1
            }
            var firstEnd = start
            while firstEnd < n && bytes[firstEnd] != 0x2E { firstEnd += 1 }
            let first = UnsafeBufferPointer(rebasing: bytes[start..<firstEnd])
            func segments(from: Int, expected: Int) -> [String] {
                var parts: [String] = []
                parts.reserveCapacity(expected)
                var s = from
                var j = from
                while j <= n {
                    if j == n || bytes[j] == 0x2E {
                        parts.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[s..<j]), as: UTF8.self))
                        s = j + 1
                    }
                    j += 1
                }
                return parts
            }
            if isData {
                let rest = firstEnd < n ? segments(from: firstEnd + 1, expected: count - 1) : []
                if Self.equals(first, "root") { return TemplatePath(segments: rest, dataName: nil, isRoot: true, source: source) }
                return TemplatePath(segments: rest, dataName: String(decoding: first, as: UTF8.self), isRoot: false, source: source)
            }
            // One segment: the text itself.
            return TemplatePath(segments: count == 1 ? [source] : segments(from: 0, expected: count), dataName: nil, isRoot: false, source: source)
        }
    }

    /// True if the bytes spell an ASCII word.
    @inline(__always)
    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for k in 0..<bytes.count where bytes[k] != w[k] { return false }
        return true
    }
    /// Reads the path: event paths from `root`, `@root` paths from `data["root"]` (falling back
    /// to `root`), `@name` paths from `data[name]`. Nil if any segment is missing.
    public func resolve(root: JSONValue, data: [String: JSONValue]) -> JSONValue? {
        let base: JSONValue?
        if let dataName { base = data[dataName] } else if isRoot { base = data["root"] ?? root } else { base = root }
        guard let base else { return nil }
        return Renderer.walk(base, segments)
    }
}
