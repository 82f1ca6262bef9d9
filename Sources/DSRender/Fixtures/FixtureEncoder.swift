import DSJSON

/// The on-disk layouts of a rendered request.
public enum FixtureFormat: String, Sendable, CaseIterable {
    /// Canonical JSON meant for review and byte-for-byte drift checks.
    case json
    /// A `.http` file (request line, headers, blank line, body) that REST-client editors
    /// (VS Code REST Client, JetBrains HTTP Client) can send as is.
    case http

    /// The file extension.
    public var fileExtension: String { rawValue }
}

/// Turns rendered requests into fixture file contents. Pure: the caller reads and writes.
///
/// JSON layout (one file per request):
/// ```json
/// {
///   "body": {...},              // pretty JSON if Content-Type is JSON, else the body text
///   "body_bytes": 123,          // size of the body actually sent
///   "environment": {"request_id": "msg_...", "timestamp": 1767225600},
///   "events": ["evt_1"],
///   "headers": [["Content-Type", "application/json"], ...],   // sorted by lowercase name, stable
///   "method": "POST",
///   "signing_string": "..." | null,
///   "url": "https://..."
/// }
/// ```
/// Fixture keys are sorted, with two-space indent, short scalar arrays on one line and a
/// trailing newline (``FixtureJSONWriter``). A JSON body keeps
/// the key order it has on the wire (the order the mapping declares), so a change of that
/// order shows up as drift too.
public enum FixtureEncoder {
    /// The JSON fixture of `request`.
    public static func json(_ request: RenderedRequest) -> [UInt8] {
        let headers = request.headers.enumerated()
            .sorted { a, b in
                let (x, y) = (a.element.name.lowercased(), b.element.name.lowercased())
                return x == y ? a.offset < b.offset : JSONWriter.canonicalKeyOrder(x, y)
            }
            .map { JSONValue.array([.string($0.element.name), .string($0.element.value)]) }
        let fixture: JSONValue = .object(JSONObject([
            ("body", bodyValue(request)),
            ("body_bytes", .int(request.body.count)),
            ("environment", .object(JSONObject([
                ("request_id", .string(request.requestID)),
                ("timestamp", .number(JSONNumber(text: String(request.timestamp)))),
            ]))),
            ("events", .array(request.eventIDs.map { .string($0) })),
            ("headers", .array(headers)),
            ("method", .string(request.method)),
            ("signing_string", request.signingStringText.map { .string($0) } ?? .null),
            ("url", .string(request.url)),
        ]))
        // Keys above are inserted in sorted order; the writer keeps them, and the body's own order.
        return FixtureJSONWriter.bytes(fixture)
    }

    /// The `.http` file of `request`: a comment line with the events and environment, for an
    /// https URL a second one saying what URLSession changes on the wire (``HTTPSWireNote``),
    /// the request line, headers in the order they are rendered, a blank line and the exact body.
    public static func http(_ request: RenderedRequest) -> [UInt8] {
        var out = "# dspec render: events \(request.eventIDs.joined(separator: ", ")); timestamp \(request.timestamp); request_id \(request.requestID)\n"
        if let note = HTTPSWireNote.line(for: request) { out += note + "\n" }
        out += "\(request.method) \(request.url)\n"
        for h in request.headers { out += "\(h.name): \(h.value)\n" }
        var bytes = Array(out.utf8)
        if !request.body.isEmpty {
            bytes.append(0x0A)
            bytes.append(contentsOf: request.body)
            if request.body.last != 0x0A { bytes.append(0x0A) }
        }
        return bytes
    }

    /// The body as fixture JSON: a value when the request declares a JSON content type and
    /// the body parses, otherwise the text.
    static func bodyValue(_ request: RenderedRequest) -> JSONValue {
        if isJSONContentType(request.header("Content-Type")), let value = try? JSONParser().parseValue(request.body) {
            return value
        }
        return .string(request.bodyText)
    }

    /// True for `application/json` and `+json` media types (parameters ignored).
    static func isJSONContentType(_ value: String?) -> Bool {
        guard let value else { return false }
        let media = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces().lowercased() } ?? ""
        return media == "application/json" || media.hasSuffix("+json")
    }

    /// The file name (without extension) of the request at 0-based `index`:
    /// `001-track-order-completed`, from the first event's type and name.
    public static func baseName(index: Int, firstEvent: JSONValue?) -> String {
        var number = String(index + 1)
        while number.count < 3 { number = "0" + number }
        var parts = [number]
        let type = firstEvent?["type"]?.stringValue.map(slug) ?? ""
        parts.append(type.isEmpty ? "event" : type)
        if let name = firstEvent?["event"]?.stringValue ?? firstEvent?["name"]?.stringValue {
            let s = slug(name)
            if !s.isEmpty { parts.append(s) }
        }
        return parts.joined(separator: "-")
    }

    /// Lowercase ASCII letters and digits, runs of anything else as one `-`, at most 48 characters.
    public static func slug(_ text: String) -> String {
        var out: [UInt8] = []
        var pendingDash = false
        for b in text.utf8 {
            if PercentEncoding.isASCIIAlphanumeric(b) {
                if pendingDash && !out.isEmpty { out.append(UInt8(ascii: "-")) }
                pendingDash = false
                out.append(b >= 0x41 && b <= 0x5A ? b + 0x20 : b)
            } else {
                pendingDash = true
            }
            if out.count >= 48 { break }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `outcomes.json`: filtered and failed events with their line in the events file and the reason.
    public static func outcomes(_ outcomes: [EventOutcome], lines: [Int]) -> [UInt8] {
        func entries(_ status: EventOutcome.Status) -> JSONValue {
            .array(outcomes.filter { $0.status == status }.map { o in
                .object(JSONObject([
                    ("event_id", .string(o.eventID)),
                    ("line", o.index < lines.count ? .int(lines[o.index]) : .null),
                    ("reason", .string(o.reason)),
                ]))
            })
        }
        return FixtureJSONWriter.bytes(.object(JSONObject([("failed", entries(.failed)), ("filtered", entries(.filtered))])))
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
