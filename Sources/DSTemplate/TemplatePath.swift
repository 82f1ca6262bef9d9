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
    /// (literal segments, `this`, `../`, odd characters) takes the full parser.
    private static func simplePath(_ text: String) -> TemplatePath? {
        var parts: [String] = []
        var isData = false
        var ok = true
        text.utf8.withContiguousStorageIfAvailable { bytes in
            var start = 0
            if bytes.first == UInt8(ascii: "@") { isData = true; start = 1 }
            var segmentStart = start
            for i in start...bytes.count {
                if i == bytes.count || bytes[i] == UInt8(ascii: ".") {
                    guard i > segmentStart else { ok = false; return }
                    parts.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[segmentStart..<i]), as: UTF8.self))
                    segmentStart = i + 1
                    continue
                }
                let b = bytes[i]
                let identifier = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: "$")
                if !identifier { ok = false; return }
            }
        } ?? { ok = false }()
        guard ok, let first = parts.first, first != "this", !parts.contains("..") else { return nil }
        if isData {
            if first == "root" { return TemplatePath(segments: Array(parts.dropFirst()), dataName: nil, isRoot: true, source: text) }
            return TemplatePath(segments: Array(parts.dropFirst()), dataName: first, isRoot: false, source: text)
        }
        // Numeric first segments and keywords keep the parser's exact semantics.
        if first.utf8.first.map({ $0 >= 0x30 && $0 <= 0x39 }) == true || ["true", "false", "null", "undefined"].contains(first) { return nil }
        return TemplatePath(segments: parts, dataName: nil, isRoot: false, source: text)
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
