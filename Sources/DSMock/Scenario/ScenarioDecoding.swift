import DSCrypto
import DSJSON

/// A scenario file that cannot be used, with the pointer of the offending value.
public struct MockScenarioError: Error, CustomStringConvertible, Sendable {
    /// RFC 6901 pointer into the scenario document.
    public var pointer: String
    /// What is wrong.
    public var message: String
    /// Creates an error.
    public init(pointer: String, message: String) {
        self.pointer = pointer
        self.message = message
    }
    /// `scenario /routes/0/responses/1/status: expected an integer 100-599`.
    public var description: String { "scenario \(pointer.isEmpty ? "/" : pointer): \(message)" }
}

extension MockScenario {
    /// Reads a scenario from its JSON text (format: `docs/mock-server.md`).
    public init(json text: String) throws(MockScenarioError) {
        let value: JSONValue
        do {
            value = try JSONParser().parseValue(text)
        } catch {
            throw MockScenarioError(pointer: "", message: "not valid JSON: \(error.description)")
        }
        try self.init(json: value)
    }

    /// Reads a scenario from a parsed JSON value. Unknown keys are errors, so a typo such
    /// as `"delay": 100` cannot silently do nothing.
    public init(json value: JSONValue) throws(MockScenarioError) {
        let r = try ScenarioReader(value, "")
        try r.allow(["name", "seed", "routes", "default", "oauth", "invalid_token_response", "$schema", "description"])
        self.init()
        name = try r.string("name") ?? "scenario"
        if let seed = try r.int("seed") { self.seed = UInt64(bitPattern: Int64(seed)) }
        if let routes = try r.array("routes") {
            for (i, v) in routes.enumerated() { self.routes.append(try Self.route(v, "/routes/\(i)")) }
        }
        if let d = r.object["default"] { fallback = try Self.response(d, "/default").first ?? fallback }
        if let o = r.object["oauth"] { oauth = try MockOAuthOverrides(json: o, pointer: "/oauth") }
        if let t = r.object["invalid_token_response"] { invalidTokenResponse = try Self.response(t, "/invalid_token_response").first }
    }

    private static func route(_ v: JSONValue, _ pointer: String) throws(MockScenarioError) -> MockRoute {
        let r = try ScenarioReader(v, pointer)
        try r.allow(["name", "method", "path", "path_prefix", "body_contains", "responses", "response", "cycle", "checks", "requires_token"])
        let path: MockRoute.PathMatch
        switch (try r.string("path"), try r.string("path_prefix")) {
        case (let p?, nil): path = .exact(p)
        case (nil, let p?): path = .prefix(p)
        case (nil, nil): path = .any
        default: throw r.fail("path", "give either path or path_prefix, not both")
        }
        var responses: [MockResponse] = []
        if let list = try r.array("responses") {
            for (i, item) in list.enumerated() { responses += try response(item, "\(pointer)/responses/\(i)") }
        }
        if let single = r.object["response"] { responses += try response(single, "\(pointer)/response") }
        guard !responses.isEmpty else { throw r.fail("responses", "a route needs at least one response") }
        let method = try r.string("method")
        return MockRoute(name: try r.string("name") ?? "\(method ?? "*") \(pointer)", method: method == "*" ? nil : method, path: path,
                         responses: responses, cycle: try r.bool("cycle") ?? false, checks: try r.bool("checks") ?? true,
                         requiresToken: try r.bool("requires_token"), bodyContains: try r.string("body_contains"))
    }

    /// One entry of `responses`, expanded by its `repeat` count.
    private static func response(_ v: JSONValue, _ pointer: String) throws(MockScenarioError) -> [MockResponse] {
        let r = try ScenarioReader(v, pointer)
        try r.allow(["status", "headers", "body", "body_base64", "delay_ms", "random_delay_ms", "fault", "stall_ms", "bytes", "repeat", "partial_failure"])
        let delay = try r.int("delay_ms") ?? 0
        guard delay >= 0 else { throw r.fail("delay_ms", "must not be negative") }
        var random: ClosedRange<Int>?
        if let range = try r.array("random_delay_ms") {
            guard range.count == 2, let lo = range[0].numberValue?.intValue, let hi = range[1].numberValue?.intValue, lo >= 0, lo <= hi else {
                throw r.fail("random_delay_ms", "expected [min, max] in milliseconds with 0 <= min <= max")
            }
            random = lo...hi
        }
        let count = try r.int("repeat") ?? 1
        guard count >= 1, count <= 100_000 else { throw r.fail("repeat", "expected 1-100000") }
        var response: MockResponse
        if let fault = try r.string("fault") {
            switch fault {
            case "reset": response = .fault(.reset, delayMs: delay)
            case "empty": response = .fault(.empty, delayMs: delay)
            case "malformed": response = .fault(.malformed(Array((try r.string("bytes") ?? "HTTP/1.1 ??? garbage\r\n\u{1}\u{2}\r\n").utf8)), delayMs: delay)
            case "stall": response = .fault(.stall(ms: try r.int("stall_ms") ?? 60_000), delayMs: delay)
            default: throw r.fail("fault", "unknown fault \"\(fault)\" (expected reset, empty, malformed or stall)")
            }
            response.randomDelayMs = random
            return Array(repeating: response, count: count)
        }
        let status = try r.int("status") ?? 200
        guard (100...599).contains(status), status != 101 else { throw r.fail("status", "expected an HTTP status 100-599 (not 101)") }
        let headers = try Self.headers(r)
        var partial: MockPartialFailure?
        if let p = r.object["partial_failure"] { partial = try partialFailure(p, "\(pointer)/partial_failure") }
        if let b64 = try r.string("body_base64") {
            guard let bytes = Base64.decode(b64) else { throw r.fail("body_base64", "not valid base64") }
            response = MockResponse(status: status, headers: headers, body: bytes, delayMs: delay, randomDelayMs: random, partialFailure: partial)
        } else {
            switch r.object["body"] {
            case .string(let s)?:
                var h = headers
                if !h.contains(where: { asciiCaseInsensitiveEquals($0.name, "Content-Type") }) {
                    h.append(MockHeader(name: "Content-Type", value: "text/plain; charset=utf-8"))
                }
                response = MockResponse(status: status, headers: h, body: Array(s.utf8), delayMs: delay, randomDelayMs: random, partialFailure: partial)
            case let json?:
                response = MockResponse(status: status, headers: headers, json: json, delayMs: delay, randomDelayMs: random, partialFailure: partial)
            case nil:
                if partial != nil {
                    response = MockResponse(status: status, headers: headers, json: .object(JSONObject()), delayMs: delay, randomDelayMs: random, partialFailure: partial)
                } else {
                    response = MockResponse(status: status, headers: headers, delayMs: delay, randomDelayMs: random)
                }
            }
        }
        return Array(repeating: response, count: count)
    }

    /// `headers`: an object of name -> string (or array of strings, for a repeated field).
    private static func headers(_ r: ScenarioReader) throws(MockScenarioError) -> [MockHeader] {
        guard let v = r.object["headers"] else { return [] }
        guard case .object(let o) = v else { throw r.fail("headers", "expected an object of name -> value") }
        var out: [MockHeader] = []
        for (name, value) in o {
            guard !name.isEmpty, name.utf8.allSatisfy({ HTTPBytes.tchar[Int($0)] }) else { throw r.fail("headers", "invalid header name \"\(name)\"") }
            let values: [JSONValue] = value.arrayValue ?? [value]
            for item in values {
                let text: String
                switch item {
                case .string(let s): text = s
                case .number(let n): text = n.text
                case .bool(let b): text = b ? "true" : "false"
                default: throw r.fail("headers", "header \"\(name)\" must be a string, number or array of strings")
                }
                guard text.utf8.allSatisfy(HTTPBytes.isFieldValueByte) else { throw r.fail("headers", "header \"\(name)\" contains a control character") }
                out.append(MockHeader(name: name, value: text))
            }
        }
        return out
    }

    private static func partialFailure(_ v: JSONValue, _ pointer: String) throws(MockScenarioError) -> MockPartialFailure {
        let r = try ScenarioReader(v, pointer)
        try r.allow(["items", "every", "indexes", "where", "errors_at", "error"])
        let items = try r.string("items") ?? ""
        guard JSONPointer.isValid(items) else { throw r.fail("items", "not a JSON pointer") }
        guard let errorsAt = try r.string("errors_at"), JSONPointer.isValid(errorsAt), !errorsAt.isEmpty else {
            throw r.fail("errors_at", "required: a non-empty JSON pointer into the response body")
        }
        guard let error = r.object["error"] else { throw r.fail("error", "required: the error object for one failed event") }
        let selection: MockPartialFailure.Selection
        if let n = try r.int("every") {
            guard n >= 1 else { throw r.fail("every", "must be at least 1") }
            selection = .every(n)
        } else if let list = try r.array("indexes") {
            selection = .indexes(list.compactMap { $0.numberValue?.intValue })
        } else if let w = r.object["where"] {
            let wr = try ScenarioReader(w, pointer + "/where")
            try wr.allow(["pointer", "in", "contains"])
            guard let p = try wr.string("pointer"), JSONPointer.isValid(p) else { throw wr.fail("pointer", "required: a JSON pointer into one event") }
            if let c = try wr.string("contains") {
                selection = .valueContains(pointer: p, text: c)
            } else if let list = try wr.array("in") {
                selection = .valueIn(pointer: p, values: list.map(MockPartialFailure.text))
            } else {
                throw wr.fail("in", "give in (a list of values) or contains (a substring)")
            }
        } else {
            throw r.fail("every", "choose the failed events with every, indexes or where")
        }
        return MockPartialFailure(items: items, selection: selection, errorsAt: errorsAt, error: error)
    }
}

/// Typed access to one object of a scenario document, failing with a pointer.
struct ScenarioReader {
    let object: JSONObject
    let pointer: String

    init(_ value: JSONValue, _ pointer: String) throws(MockScenarioError) {
        guard case .object(let o) = value else { throw MockScenarioError(pointer: pointer, message: "expected an object") }
        object = o
        self.pointer = pointer
    }

    func fail(_ key: String, _ message: String) -> MockScenarioError {
        MockScenarioError(pointer: JSONPointer.appending(pointer, key), message: message)
    }

    func allow(_ keys: Set<String>) throws(MockScenarioError) {
        for key in object.keys where !keys.contains(key) {
            throw fail(key, "unknown key (allowed: \(keys.sorted().joined(separator: ", ")))")
        }
    }

    func string(_ key: String) throws(MockScenarioError) -> String? {
        guard let v = object[key], !v.isNull else { return nil }
        guard case .string(let s) = v else { throw fail(key, "expected a string") }
        return s
    }

    func int(_ key: String) throws(MockScenarioError) -> Int? {
        guard let v = object[key], !v.isNull else { return nil }
        guard case .number(let n) = v, let i = n.intValue else { throw fail(key, "expected an integer") }
        return i
    }

    func bool(_ key: String) throws(MockScenarioError) -> Bool? {
        guard let v = object[key], !v.isNull else { return nil }
        guard case .bool(let b) = v else { throw fail(key, "expected true or false") }
        return b
    }

    func array(_ key: String) throws(MockScenarioError) -> [JSONValue]? {
        guard let v = object[key], !v.isNull else { return nil }
        guard case .array(let a) = v else { throw fail(key, "expected an array") }
        return a
    }
}
