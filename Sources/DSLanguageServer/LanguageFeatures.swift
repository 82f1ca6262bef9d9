import DSCompiler
import DSCore
import DSJSON
import DSTemplate

/// Completion, hover, definition and code actions over the session's documents.
extension LanguageServerSession {
    // MARK: - Files around a document

    /// The spec a document belongs to: itself, or `NAME.json` for a companion.
    static func specPath(of path: String) -> String {
        for suffix in [".settings.json", ".secrets.json", ".suite.json", ".events.ndjson"] where path.hasSuffix(suffix) {
            return String(path.dropLast(suffix.count)) + ".json"
        }
        return path
    }

    static func companion(of specPath: String, _ suffix: String) -> String {
        (specPath.hasSuffix(".json") ? String(specPath.dropLast(5)) : specPath) + suffix
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func join(_ directory: String, _ relative: String) -> String {
        if relative.hasPrefix("/") { return relative }
        var parts = directory.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for part in relative.split(separator: "/") {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != "..", last != "", last != "." { parts.removeLast(); continue }
            parts.append(String(part))
        }
        return parts.joined(separator: "/")
    }

    static func parse(_ bytes: [UInt8]) -> JSONNode? {
        JSONParser().parse(SourceFile(path: "<editor>", bytes: bytes), diagnostics: DiagnosticCollector())
    }

    /// The schema model for a spec: the document its `$schema` names, else the project's
    /// `specs/schema/delivery-spec.schema.json` found in a parent directory.
    func schemaModel(for doc: Document) -> SchemaKeyModel? {
        let read = lookup()
        var candidates: [String] = []
        if let root = Self.parse(doc.bytes), let ref = root.member("$schema")?.value.stringValue, !ref.contains("://") {
            candidates.append(Self.join(Self.directory(of: doc.path), ref))
        }
        var dir = Self.directory(of: doc.path)
        for _ in 0..<8 {
            candidates.append(Self.join(dir, "specs/schema/delivery-spec.schema.json"))
            candidates.append(Self.join(dir, "schema/delivery-spec.schema.json"))
            let parent = Self.directory(of: dir)
            if parent == dir || dir == "." { break }
            dir = parent
        }
        for path in candidates {
            if let cached = schemaCache[path] { if let cached { return cached } else { continue } }
            guard let bytes = read(path), let value = try? JSONParser().parseValue(bytes) else { schemaCache[path] = .some(nil); continue }
            let model = SchemaKeyModel(schema: value)
            schemaCache[path] = model
            return model
        }
        return nil
    }

    /// Names a spec declares under `settings` or `secrets` (object keys or an array of names).
    static func declaredNames(_ root: JSONNode?, _ kind: String) -> [(name: String, span: SourceSpan, description: String?)] {
        guard let block = root?.member(kind)?.value else { return [] }
        if let elements = block.elements {
            return elements.compactMap { e in e.stringValue.map { ($0, e.span, nil) } }
        }
        return block.members.map { ($0.key, $0.keySpan, $0.value.member("description")?.value.stringValue) }
    }

    /// The first sample event (`NAME.events.ndjson`), if there is one.
    func sampleEvents(for specPath: String, limit: Int) -> [JSONValue] {
        guard let bytes = lookup()(Self.companion(of: specPath, ".events.ndjson")) else { return [] }
        var out: [JSONValue] = []
        for line in bytes.split(separator: 10) where out.count < limit {
            if let v = try? JSONParser().parseValue(Array(line)) { out.append(v) }
        }
        return out
    }

    static func fieldPaths(_ value: JSONValue, prefix: String = "", depth: Int = 0, into out: inout [String: JSONValue]) {
        guard depth < 5, out.count < 300, case .object(let o) = value else { return }
        for (key, v) in o {
            let path = prefix.isEmpty ? key : prefix + "." + key
            if out[path] == nil { out[path] = v }
            fieldPaths(v, prefix: path, depth: depth + 1, into: &out)
        }
    }

    /// Event fields the tracking plan (`events.schema`: one schema, or event name -> schema)
    /// declares: `properties` paths, nested, with their descriptions.
    func trackingPlanFields(_ root: JSONNode?, specPath: String) -> [(String, String?)] {
        guard let schemaRef = root?.member("events")?.value.member("schema")?.value else { return [] }
        var files: [String] = []
        if let one = schemaRef.stringValue { files = [one] } else { files = schemaRef.members.compactMap(\.value.stringValue) }
        var out: [String: String?] = [:]
        func walk(_ schema: JSONValue, _ prefix: String, _ depth: Int) {
            guard depth < 5, out.count < 300, let props = schema["properties"]?.objectValue else { return }
            for (key, sub) in props {
                let path = prefix.isEmpty ? key : prefix + "." + key
                if out[path] == nil { out[path] = .some(sub["description"]?.stringValue) }
                walk(sub, path, depth + 1)
            }
        }
        let read = lookup()
        for file in files.prefix(20) {
            guard let bytes = read(Self.join(Self.directory(of: specPath), file)), let schema = try? JSONParser().parseValue(bytes) else { continue }
            walk(schema, "", 0)
        }
        return out.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    // MARK: - Completion

    func completion(_ doc: Document, _ offset: Int) -> JSONValue {
        let context = CursorContext.at(doc.bytes, offset: offset)
        let positions = TextPositions(doc.bytes)
        var items: [JSONValue] = []
        func item(_ label: String, kind: Int, detail: String?, doc documentation: String?, replaceFrom: Int?, insert: String? = nil) {
            var o = JSONObject()
            o["label"] = .string(label)
            o["kind"] = .int(kind)
            if let detail { o["detail"] = .string(detail) }
            if let documentation { o["documentation"] = ["kind": "markdown", "value": .string(documentation)] }
            if let replaceFrom {
                o["textEdit"] = ["range": Self.rangeValue(positions.position(ofOffset: replaceFrom), positions.position(ofOffset: offset)),
                                 "newText": .string(insert ?? label)]
            } else if let insert {
                o["insertText"] = .string(insert)
            }
            items.append(.object(o))
        }
        let specPath = Self.specPath(of: doc.path)
        let isSpec = specPath == doc.path

        if let start = context.stringContentStart, context.slot == .value, start <= offset {
            let typed = Array(doc.bytes[start..<offset])
            // Rule codes in a suppression.
            if context.path.count >= 3, context.path.last == "rule", context.path[context.path.count - 3] == "suppress" {
                for rule in RuleCatalog.all {
                    item(rule.code, kind: 21, detail: rule.name, doc: rule.summary, replaceFrom: start)
                }
                return .array(items)
            }
            // Template variables inside {{ }}.
            if let open = Self.lastOpenMustache(typed) {
                var tokenStart = open
                var i = typed.count
                while i > open {
                    let b = typed[i - 1]
                    if b == 0x20 || b == 0x7B || b == 0x28 || b == 0x23 || b == 0x2F || b == 0x7E || b == 0x26 { break }
                    i -= 1
                }
                tokenStart = i
                let root = isSpec ? (Self.parse(doc.bytes) ?? doc.lastValid ?? environment.readFile(specPath).flatMap(Self.parse))
                    : lookup()(specPath).flatMap(Self.parse)
                for s in Self.declaredNames(root, "settings") {
                    item("@settings." + s.name, kind: 6, detail: "setting", doc: s.description, replaceFrom: start + tokenStart)
                }
                for s in Self.declaredNames(root, "secrets") {
                    item("@secrets." + s.name, kind: 6, detail: "secret (value never shown)", doc: s.description, replaceFrom: start + tokenStart)
                }
                var fields: [String: JSONValue] = [:]
                for event in sampleEvents(for: specPath, limit: 50) { Self.fieldPaths(event, into: &fields) }
                for (path, value) in fields.sorted(by: { $0.key < $1.key }) {
                    let example = JSONWriter.string(value).prefix(80)
                    item(path, kind: 5, detail: "event field (e.g. \(example))", doc: nil, replaceFrom: start + tokenStart)
                }
                for (path, description) in trackingPlanFields(root, specPath: specPath) where fields[path] == nil {
                    item(path, kind: 5, detail: "event field (tracking plan)", doc: description, replaceFrom: start + tokenStart)
                }
                for helper in TemplateHelpers.names.sorted() {
                    item(helper, kind: 3, detail: "helper", doc: nil, replaceFrom: start + tokenStart)
                }
                return .array(items)
            }
            return .array([])
        }
        guard isSpec, context.slot == .key, let model = schemaModel(for: doc) else { return .array([]) }
        for key in model.keys(at: context.path) {
            if let start = context.stringContentStart {
                item(key.name, kind: 10, detail: nil, doc: key.documentation, replaceFrom: start)
            } else {
                item(key.name, kind: 10, detail: nil, doc: key.documentation, replaceFrom: nil, insert: "\"\(key.name)\": ")
            }
        }
        return .array(items)
    }

    /// The index just past the last `{{` not closed by `}}` in `typed`.
    static func lastOpenMustache(_ typed: [UInt8]) -> Int? {
        var open: Int?
        var i = 0
        while i + 1 < typed.count {
            if typed[i] == 0x7B && typed[i + 1] == 0x7B { open = i + 2; i += 2; continue }
            if typed[i] == 0x7D && typed[i + 1] == 0x7D { open = nil; i += 2; continue }
            i += 1
        }
        guard var o = open else { return nil }
        while o < typed.count && typed[o] == 0x7B { o += 1 }  // {{{
        return o
    }

    // MARK: - Hover

    struct Hit {
        var path: [String]
        var node: JSONNode
        var onKey: Bool
        var keySpan: SourceSpan?
    }

    static func hit(_ node: JSONNode, _ offset: Int, path: [String] = []) -> Hit {
        for member in node.members {
            if member.keySpan.start <= offset && offset <= member.keySpan.end {
                return Hit(path: path + [member.key], node: member.value, onKey: true, keySpan: member.keySpan)
            }
            if member.value.span.start <= offset && offset <= member.value.span.end {
                return hit(member.value, offset, path: path + [member.key])
            }
        }
        for (i, element) in (node.elements ?? []).enumerated() where element.span.start <= offset && offset <= element.span.end {
            return hit(element, offset, path: path + [String(i)])
        }
        return Hit(path: path, node: node, onKey: false, keySpan: nil)
    }

    func hover(_ doc: Document, _ offset: Int) -> JSONValue? {
        guard let root = Self.parse(doc.bytes) else { return nil }
        let h = Self.hit(root, offset)
        let positions = TextPositions(doc.bytes)
        let span = h.onKey ? (h.keySpan ?? h.node.span) : h.node.span
        func result(_ markdown: String) -> JSONValue {
            ["contents": ["kind": "markdown", "value": .string(markdown)],
             "range": Self.rangeValue(positions.position(ofOffset: span.start), positions.position(ofOffset: span.end))]
        }
        let isSpec = Self.specPath(of: doc.path) == doc.path
        if h.onKey {
            guard isSpec, let text = schemaModel(for: doc)?.documentation(at: h.path) else { return nil }
            return result("**\(h.path.last ?? "")** (`/\(h.path.joined(separator: "/"))`)\n\n\(text)")
        }
        guard let value = h.node.stringValue else { return nil }
        if let rule = RuleCatalog.descriptor(value) {
            var text = "**\(rule.code)** `\(rule.name)` (\(rule.severity.rawValue))\n\n\(rule.summary)"
            if let hint = rule.defaultHint { text += "\n\nHint: \(hint)" }
            return result(text)
        }
        guard isSpec, value.contains("{{") else { return nil }
        let preview = renderPreview(value, path: h.path, root: root, specPath: doc.path)
        if let ref = Self.reference(doc.bytes, h, offset) {
            return result(Self.declarationHover(root, kind: ref.kind, name: ref.name) + "\n\n---\n\n" + preview)
        }
        return result(preview)
    }

    /// What a template renders for the first sample event; secrets are never read: each
    /// `@secrets.NAME` renders as the placeholder `[secret NAME]`.
    func renderPreview(_ template: String, path: [String], root: JSONNode, specPath: String) -> String {
        let mode: TemplateMode = path.last == "url" ? .url : path.contains("headers") ? .header : .plain
        var settings = JSONObject()
        for member in root.member("settings")?.value.members ?? [] {
            if let d = member.value.member("default")?.value.value { settings[member.key] = d }
        }
        if let bytes = lookup()(Self.companion(of: specPath, ".settings.json")), case .object(let given)? = try? JSONParser().parseValue(bytes) {
            for (k, v) in given where k != "$schema" { settings[k] = v }
        }
        var secrets = JSONObject()
        for s in Self.declaredNames(root, "secrets") { secrets[s.name] = .string("[secret \(s.name)]") }
        guard let event = sampleEvents(for: specPath, limit: 1).first else {
            return "No sample event: add `\(Self.companion(of: specPath, ".events.ndjson").split(separator: "/").last ?? "")` to preview this template."
        }
        do {
            let compiled = try CompiledTemplate.compile(template, mode: mode)
            let out = try compiled.render(event, data: ["settings": .object(settings), "secrets": .object(secrets)])
            return "Renders for the first sample event (\(mode) mode, secrets redacted):\n\n```\n\(out.replacing("```", with: "`\u{200B}``"))\n```"
        } catch let error as TemplateSyntaxError {
            return "Does not compile: \(error.message)"
        } catch {
            return "Does not render for the first sample event: \(error)"
        }
    }

    // MARK: - Definition

    func definition(_ doc: Document, _ offset: Int) -> JSONValue? {
        let specPath = Self.specPath(of: doc.path)
        guard specPath == doc.path, let root = Self.parse(doc.bytes) else { return nil }
        let h = Self.hit(root, offset)
        guard let ref = Self.reference(doc.bytes, h, offset), let decl = Self.declaredNames(root, ref.kind).first(where: { $0.name == ref.name }) else { return nil }
        let positions = TextPositions(doc.bytes)
        return ["uri": .string(doc.uri),
                "range": Self.rangeValue(positions.position(ofOffset: decl.span.start), positions.position(ofOffset: decl.span.end))]
    }

    /// The `@secrets.NAME` / `@settings.NAME` reference under the cursor in a string value:
    /// `kind` is `secrets` or `settings`, `start`/`end` are the reference's byte offsets.
    static func reference(_ bytes: [UInt8], _ h: Hit, _ offset: Int) -> (kind: String, name: String, start: Int, end: Int)? {
        guard !h.onKey, h.node.stringValue != nil, h.node.span.start <= h.node.span.end else { return nil }
        let raw = Array(bytes[min(h.node.span.start, bytes.count)..<min(h.node.span.end, bytes.count)])
        for kind in ["secrets", "settings"] {
            let marker = Array("@\(kind).".utf8)
            var i = 0
            while i + marker.count <= raw.count {
                guard Array(raw[i..<(i + marker.count)]) == marker else { i += 1; continue }
                var end = i + marker.count
                while end < raw.count, Self.isNameByte(raw[end]) { end += 1 }
                let name = String(decoding: raw[(i + marker.count)..<end], as: UTF8.self)
                let at = h.node.span.start + i
                if offset >= at && offset <= h.node.span.start + end { return (kind, name, at, h.node.span.start + end) }
                i = end
            }
        }
        return nil
    }

    /// Hover text for a setting or secret reference: the declaration (a setting's type, default
    /// and description; a secret's description only, never a value).
    static func declarationHover(_ root: JSONNode, kind: String, name: String) -> String {
        let singular = kind == "secrets" ? "secret" : "setting"
        guard Self.declaredNames(root, kind).contains(where: { $0.name == name }) else {
            return "**@\(kind).\(name)**: not declared under `\(kind)` in this spec."
        }
        var text = "**@\(kind).\(name)**: \(singular) declared in `/\(kind)`"
        guard let decl = root.member(kind)?.value.member(name)?.value else { return text }
        if kind == "settings" {
            if let type = decl.member("type")?.value.stringValue { text += "\n\ntype: `\(type)`" }
            if let d = decl.member("default")?.value.value { text += "\n\ndefault: `\(JSONWriter.string(d))`" }
            else { text += "\n\nno default (required in the settings file)" }
        } else {
            text += "\n\nvalue: from the secrets file or environment (never shown)"
        }
        if let description = decl.member("description")?.value.stringValue { text += "\n\n\(description)" }
        return text
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
    }

    // MARK: - Code actions

    func codeActions(_ doc: Document, range: JSONValue) -> JSONValue {
        let positions = TextPositions(doc.bytes)
        let from = positions.offset(of: Self.position(range["start"]))
        let to = positions.offset(of: Self.position(range["end"]))
        var actions: [JSONValue] = []
        let root = Self.parse(doc.bytes)
        for d in doc.diagnostics where d.suppression == nil {
            let start = d.location?.offset ?? 0
            let end = max(start, d.endLocation?.offset ?? start)
            guard start <= to && from <= end else { continue }
            let lsp = Self.lspDiagnostic(d, positions)
            if let suggestion = d.suggestion, end > start, end <= doc.bytes.count {
                let quoted = doc.bytes[start] == 0x22 && doc.bytes[end - 1] == 0x22
                let newText = quoted ? JSONWriter.string(.string(suggestion)) : suggestion
                actions.append(Self.action("Replace with \"\(suggestion)\"", uri: doc.uri, diagnostic: lsp, preferred: true, edits: [
                    Self.edit(positions, start, end, newText),
                ]))
            }
            if Self.specPath(of: doc.path) == doc.path, let root, let insert = Self.suppressionInsert(root, d) {
                actions.append(Self.action("Suppress \(d.code) (add a lint.suppress entry with a reason)", uri: doc.uri, diagnostic: lsp,
                                           preferred: false, edits: [Self.edit(positions, insert.offset, insert.offset, insert.text)]))
            }
        }
        return .array(actions)
    }

    /// Where and what to insert for a suppression of `d` (docs/spec-format.md section 17).
    static func suppressionInsert(_ root: JSONNode, _ d: Diagnostic) -> (offset: Int, text: String)? {
        guard root.isObject else { return nil }
        var entry = JSONObject()
        entry["rule"] = .string(d.code)
        if let pointer = d.pointer { entry["pointer"] = .string(pointer) }
        entry["reason"] = "TODO: why this finding is accepted"
        let entryText = JSONWriter.string(.object(entry))
        if let lint = root.member("lint")?.value, lint.isObject {
            if let suppress = lint.member("suppress")?.value, let elements = suppress.elements {
                return (suppress.span.start + 1, entryText + (elements.isEmpty ? "" : ", "))
            }
            guard lint.member("suppress") == nil else { return nil }
            return (lint.span.start + 1, "\"suppress\": [\(entryText)]" + (lint.members.isEmpty ? "" : ", "))
        }
        guard root.member("lint") == nil else { return nil }
        return (root.span.start + 1, "\n  \"lint\": {\"suppress\": [\(entryText)]}" + (root.members.isEmpty ? "\n" : ","))
    }

    static func edit(_ positions: TextPositions, _ start: Int, _ end: Int, _ text: String) -> JSONValue {
        ["range": rangeValue(positions.position(ofOffset: start), positions.position(ofOffset: end)), "newText": .string(text)]
    }

    static func action(_ title: String, uri: String, diagnostic: JSONValue, preferred: Bool, edits: [JSONValue]) -> JSONValue {
        var changes = JSONObject()
        changes[uri] = .array(edits)
        return ["title": .string(title), "kind": "quickfix", "diagnostics": [diagnostic], "isPreferred": .bool(preferred),
                "edit": ["changes": .object(changes)]]
    }
}
