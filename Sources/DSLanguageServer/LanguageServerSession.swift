import DSCore
import DSJSON

/// What the session needs from outside: how to lint a document (the same pipeline as
/// `dspec lint`) and how to read a file that is not open in the editor (companions, the
/// schema). The edge supplies both; tests supply in-memory ones.
public struct LanguageServerEnvironment: Sendable {
    /// Diagnostics for a document, given its path and bytes; `lookup` reads another file,
    /// preferring the editor's unsaved text.
    public var diagnose: @Sendable (_ path: String, _ bytes: [UInt8], _ lookup: @escaping @Sendable (String) -> [UInt8]?) -> [Diagnostic]
    /// Reads a file from disk; nil when it does not exist or is not readable.
    public var readFile: @Sendable (String) -> [UInt8]?

    /// Creates an environment.
    public init(diagnose: @escaping @Sendable (String, [UInt8], @escaping @Sendable (String) -> [UInt8]?) -> [Diagnostic],
                readFile: @escaping @Sendable (String) -> [UInt8]?) {
        self.diagnose = diagnose
        self.readFile = readFile
    }
}

/// The language server's protocol logic (LSP 3.17 over JSON-RPC 2.0), with no I/O and no
/// threads: the edge passes each framed body to `receive` with the current time and writes
/// what it returns; `due` returns the debounced diagnostics whose time has come. Nothing a
/// client sends makes it trap: malformed JSON is a -32700 response, a request that is not an
/// object -32600, an unknown method -32601, a request before `initialize` -32002.
public final class LanguageServerSession {
    /// JSON-RPC and LSP error codes used.
    public enum ErrorCode {
        public static let parseError = -32700
        public static let invalidRequest = -32600
        public static let methodNotFound = -32601
        public static let invalidParams = -32602
        public static let serverNotInitialized = -32002
    }

    struct Document {
        var uri: String
        var path: String
        var bytes: [UInt8]
        var version: JSONValue
        var diagnostics: [Diagnostic] = []
        /// The last text that parsed as JSON: what completion reads declarations from while
        /// the document is half typed.
        var lastValid: JSONNode?
    }

    let environment: LanguageServerEnvironment
    /// Seconds between the last change and the diagnostics it triggers.
    public let debounce: Double
    var documents: [String: Document] = [:]
    var pending: [String: Double] = [:]
    var initialized = false
    var shutdownRequested = false
    /// Set when the client sent `exit`: 0 after `shutdown`, 1 without (LSP 3.17).
    public private(set) var exitCode: Int32?
    var schemaCache: [String: SchemaKeyModel?] = [:]

    /// Creates a session.
    public init(environment: LanguageServerEnvironment, debounce: Double = 0.25) {
        self.environment = environment
        self.debounce = debounce
    }

    /// The time at which `due` has work, if any.
    public var nextDeadline: Double? { pending.values.min() }

    // MARK: - Messages

    /// Handles one message body; returns the messages to send (responses and notifications).
    public func receive(_ body: [UInt8], now: Double) -> [JSONValue] {
        let message: JSONValue
        do {
            message = try JSONParser().parseValue(body)
        } catch {
            return [Self.errorResponse(id: .null, code: ErrorCode.parseError, message: "parse error: \(error.message)")]
        }
        if case .array = message {
            return [Self.errorResponse(id: .null, code: ErrorCode.invalidRequest, message: "batches are not supported by LSP")]
        }
        guard case .object(let object) = message else {
            return [Self.errorResponse(id: .null, code: ErrorCode.invalidRequest, message: "a message must be a JSON object")]
        }
        let id = object["id"]
        if let id, !Self.isValidID(id) {
            return [Self.errorResponse(id: .null, code: ErrorCode.invalidRequest, message: "\"id\" must be a string or an integer")]
        }
        guard let method = object["method"]?.stringValue else {
            if id != nil, object["result"] != nil || object["error"] != nil { return [] }  // a response to us: none expected
            return [Self.errorResponse(id: id ?? .null, code: ErrorCode.invalidRequest, message: "a request needs a string \"method\"")]
        }
        let params = object["params"] ?? .null
        if let id { return request(id: id, method: method, params: params, now: now) }
        return notification(method: method, params: params, now: now)
    }

    static func isValidID(_ id: JSONValue) -> Bool {
        switch id {
        case .string: return true
        case .number(let n): return n.isIntegerLiteral
        default: return false
        }
    }

    func request(id: JSONValue, method: String, params: JSONValue, now: Double) -> [JSONValue] {
        if method == "initialize" {
            if initialized { return [Self.errorResponse(id: id, code: ErrorCode.invalidRequest, message: "initialize was already received")] }
            initialized = true
            return [Self.response(id: id, result: Self.initializeResult)]
        }
        guard initialized else {
            return [Self.errorResponse(id: id, code: ErrorCode.serverNotInitialized, message: "the server is not initialized (send initialize first)")]
        }
        if shutdownRequested {
            return [Self.errorResponse(id: id, code: ErrorCode.invalidRequest, message: "the server is shutting down")]
        }
        switch method {
        case "shutdown":
            shutdownRequested = true
            return [Self.response(id: id, result: .null)]
        case "textDocument/completion":
            return [Self.response(id: id, result: withDocument(params) { completion($0, $1) } ?? .null)]
        case "textDocument/hover":
            return [Self.response(id: id, result: withDocument(params) { hover($0, $1) } ?? .null)]
        case "textDocument/definition":
            return [Self.response(id: id, result: withDocument(params) { definition($0, $1) } ?? .null)]
        case "textDocument/codeAction":
            guard let uri = params["textDocument"]?["uri"]?.stringValue, let doc = documents[uri], let range = params["range"] else {
                return [Self.response(id: id, result: .array([]))]
            }
            return [Self.response(id: id, result: codeActions(doc, range: range))]
        default:
            return [Self.errorResponse(id: id, code: ErrorCode.methodNotFound, message: "method not found: \(method)")]
        }
    }

    func notification(method: String, params: JSONValue, now: Double) -> [JSONValue] {
        if method == "exit" {
            exitCode = shutdownRequested ? 0 : 1
            return []
        }
        guard initialized, !shutdownRequested else { return [] }  // notifications before initialize are dropped
        switch method {
        case "textDocument/didOpen":
            guard let item = params["textDocument"], let uri = item["uri"]?.stringValue, let text = item["text"]?.stringValue else { return [] }
            documents[uri] = Document(uri: uri, path: Self.path(ofURI: uri), bytes: Array(text.utf8), version: item["version"] ?? .null)
            pending[uri] = nil
            return [publish(uri)]
        case "textDocument/didChange":
            guard let uri = params["textDocument"]?["uri"]?.stringValue, documents[uri] != nil,
                  let changes = params["contentChanges"]?.arrayValue else { return [] }
            guard var doc = documents[uri] else { return [] }
            for change in changes {
                guard let text = change["text"]?.stringValue else { continue }
                if let range = change["range"] {
                    // Incremental change (we announce full sync, but apply ranges correctly anyway).
                    let positions = TextPositions(doc.bytes)
                    let s = positions.offset(of: Self.position(range["start"]))
                    let e = max(s, positions.offset(of: Self.position(range["end"])))
                    doc.bytes = Array(doc.bytes[..<s]) + Array(text.utf8) + Array(doc.bytes[e...])
                } else {
                    doc.bytes = Array(text.utf8)
                }
            }
            doc.version = params["textDocument"]?["version"] ?? .null
            documents[uri] = doc
            pending[uri] = now + debounce
            return []
        case "textDocument/didClose":
            guard let uri = params["textDocument"]?["uri"]?.stringValue, documents[uri] != nil else { return [] }
            documents[uri] = nil
            pending[uri] = nil
            return [Self.notificationMessage("textDocument/publishDiagnostics", ["uri": .string(uri), "diagnostics": .array([])])]
        default:
            return []  // initialized, $/cancelRequest, $/setTrace, configuration changes, unknown notifications
        }
    }

    /// The debounced diagnostics due at `now`.
    public func due(now: Double) -> [JSONValue] {
        let ready = pending.filter { $0.value <= now }.map(\.key).sorted()
        var out: [JSONValue] = []
        for uri in ready {
            pending[uri] = nil
            if documents[uri] != nil { out.append(publish(uri)) }
        }
        return out
    }

    // MARK: - Diagnostics

    /// Reads a file, preferring an open document's unsaved text.
    func lookup() -> @Sendable (String) -> [UInt8]? {
        let open = Dictionary(documents.values.map { ($0.path, $0.bytes) }, uniquingKeysWith: { a, _ in a })
        let read = environment.readFile
        return { path in open[path] ?? read(path) }
    }

    func publish(_ uri: String) -> JSONValue {
        guard let doc = documents[uri] else { return .null }
        let diagnostics = environment.diagnose(doc.path, doc.bytes, lookup())
        documents[uri]?.diagnostics = diagnostics
        if let node = Self.parse(doc.bytes) { documents[uri]?.lastValid = node }
        let positions = TextPositions(doc.bytes)
        var params = JSONObject()
        params["uri"] = .string(uri)
        if case .number = doc.version { params["version"] = doc.version }
        params["diagnostics"] = .array(diagnostics.map { Self.lspDiagnostic($0, positions) })
        return Self.notificationMessage("textDocument/publishDiagnostics", .object(params))
    }

    /// The LSP range of a diagnostic: its byte span in UTF-16 positions (start only: an empty range).
    static func range(of d: Diagnostic, _ positions: TextPositions) -> (TextPositions.Position, TextPositions.Position) {
        let start = d.location.map { positions.position(ofOffset: $0.offset) } ?? TextPositions.Position(line: 0, character: 0)
        let end = d.endLocation.map { positions.position(ofOffset: max($0.offset, d.location?.offset ?? 0)) } ?? start
        return (start, end)
    }

    /// One dspec diagnostic as an LSP `Diagnostic`: the same code and message; the hint on the
    /// next line; pointer, hint and suggestion in `data` (code actions read them back).
    public static func lspDiagnostic(_ d: Diagnostic, _ positions: TextPositions) -> JSONValue {
        let (start, end) = range(of: d, positions)
        var o = JSONObject()
        o["range"] = rangeValue(start, end)
        let severity: Int
        switch d.severity {
        case .error: severity = 1
        case .warning: severity = 2
        case .note: severity = 3
        }
        o["severity"] = .int(d.suppression == nil ? severity : 4)
        o["code"] = .string(d.code)
        o["source"] = "dspec"
        var message = d.message
        if let hint = d.hint, !hint.isEmpty { message += "\n" + hint }
        if let s = d.suppression { message += "\nsuppressed: " + s }
        o["message"] = .string(message)
        var data = JSONObject()
        data["pointer"] = d.pointer.map { .string($0) } ?? .null
        data["hint"] = d.hint.map { .string($0) } ?? .null
        data["suggestion"] = d.suggestion.map { .string($0) } ?? .null
        o["data"] = .object(data)
        return .object(o)
    }

    // MARK: - Helpers

    static let initializeResult: JSONValue = [
        "capabilities": [
            "positionEncoding": "utf-16",
            "textDocumentSync": ["openClose": true, "change": 1],
            "completionProvider": ["triggerCharacters": ["\"", "{", ".", "@"]],
            "hoverProvider": true,
            "definitionProvider": true,
            "codeActionProvider": ["codeActionKinds": ["quickfix"]],
        ],
        "serverInfo": ["name": "dspec"],
    ]

    func withDocument(_ params: JSONValue, _ body: (Document, Int) -> JSONValue?) -> JSONValue? {
        guard let uri = params["textDocument"]?["uri"]?.stringValue, let doc = documents[uri] else { return nil }
        let offset = TextPositions(doc.bytes).offset(of: Self.position(params["position"]))
        return body(doc, offset)
    }

    static func position(_ value: JSONValue?) -> TextPositions.Position {
        let line = value?["line"]?.numberValue?.intValue ?? 0
        let character = value?["character"]?.numberValue?.intValue ?? 0
        return TextPositions.Position(line: max(0, line), character: max(0, character))
    }

    static func positionValue(_ p: TextPositions.Position) -> JSONValue { ["line": .int(p.line), "character": .int(p.character)] }

    static func rangeValue(_ s: TextPositions.Position, _ e: TextPositions.Position) -> JSONValue {
        ["start": positionValue(s), "end": positionValue(e)]
    }

    static func response(id: JSONValue, result: JSONValue) -> JSONValue {
        .object(JSONObject([("jsonrpc", "2.0"), ("id", id), ("result", result)]))
    }

    static func errorResponse(id: JSONValue, code: Int, message: String) -> JSONValue {
        .object(JSONObject([("jsonrpc", "2.0"), ("id", id), ("error", ["code": .int(code), "message": .string(message)])]))
    }

    static func notificationMessage(_ method: String, _ params: JSONValue) -> JSONValue {
        .object(JSONObject([("jsonrpc", "2.0"), ("method", .string(method)), ("params", params)]))
    }

    /// A `file://` URI's path (percent-decoded); other schemes are used as they are.
    public static func path(ofURI uri: String) -> String {
        guard uri.hasPrefix("file://") else { return uri }
        var rest = Array(uri.utf8.dropFirst(7))
        if let slash = rest.firstIndex(of: UInt8(ascii: "/")) { rest = Array(rest[slash...]) }  // drop an authority
        var out: [UInt8] = []
        var i = 0
        while i < rest.count {
            if rest[i] == UInt8(ascii: "%"), i + 2 < rest.count, let h = hexValue(rest[i + 1]), let l = hexValue(rest[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(rest[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }
}
