/// One header line of a rendered request.
public struct HTTPHeaderField: Sendable, Equatable, Hashable {
    /// The header name as the plan spells it.
    public var name: String
    /// The value, already checked to hold no control byte but HTAB (no CR, LF, NUL, DEL).
    public var value: String

    /// Creates a header field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An HTTP request exactly as it goes on the wire, plus what it was made from. This is the
/// single definition of "what is sent": the runtime transmits it and fixtures record it.
public struct RenderedRequest: Sendable, Equatable {
    /// The HTTP method (`POST`, ...).
    public var method: String
    /// The absolute URL, path and query already percent-encoded.
    public var url: String
    /// Headers in emission order: plan headers, then auth, then signing headers.
    public var headers: [HTTPHeaderField]
    /// The exact body bytes (empty for bodyless methods).
    public var body: [UInt8]
    /// The exact bytes that were signed, or nil when the plan does not sign.
    public var signingString: [UInt8]? {
        get { hasSigningString ? signingBytes : nil }
        set {
            hasSigningString = newValue != nil
            signingBytes = newValue ?? []
        }
    }
    /// Ids of the events carried, in body order.
    public var eventIDs: [String]
    /// The `@timestamp` the request was rendered with (Unix seconds).
    public var timestamp: Int64
    /// The `@request_id` the request was rendered with (derived from ``eventIDs`` when read,
    /// for a request rendered without reading it; see ``RequestIdentity``).
    public var requestID: String {
        get { hasStoredRequestID ? storedRequestID : RequestIdentity.id(forEventIDs: eventIDs) ?? "" }
        set {
            storedRequestID = newValue
            hasStoredRequestID = true
        }
    }
    /// The id as rendered (when ``hasStoredRequestID``); otherwise it is ``RequestIdentity``'s
    /// id for ``eventIDs``, left to be derived when read (hashing the ids of every batch costs
    /// ~1k instructions per event, for an id the wire bytes often do not contain).
    private var storedRequestID: String
    private var hasStoredRequestID: Bool
    /// ``signingString`` when ``hasSigningString``.
    ///
    /// The two optionals are stored as a value and a flag because a struct this size with an
    /// `Optional` of a reference-counted type is not promoted out of memory in its
    /// initializer (Swift 6.3 SIL mem2reg): the initializer then built the request in a
    /// temporary, copied it into the result and destroyed the temporary, a retain and a
    /// release per field on every request (~1.3k instructions; `RenderedRequest` value-witness
    /// copy and destroy under its initializer in callgrind).
    private var signingBytes: [UInt8]
    private var hasSigningString: Bool

    /// Creates a request.
    public init(method: String, url: String, headers: [HTTPHeaderField], body: [UInt8], signingString: [UInt8]?,
                eventIDs: [String], timestamp: Int64, requestID: String) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        signingBytes = signingString ?? []
        hasSigningString = signingString != nil
        self.eventIDs = eventIDs
        self.timestamp = timestamp
        storedRequestID = requestID
        hasStoredRequestID = true
    }

    /// Creates a request whose id is ``RequestIdentity``'s id for `eventIDs`, derived when
    /// read. Every id in `eventIDs` must be non-empty (``RequestIdentity/hasID(_:)``).
    init(method: String, url: String, headers: [HTTPHeaderField], body: [UInt8], signingString: [UInt8]?,
         eventIDs: [String], timestamp: Int64, derivingRequestID: Void) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        signingBytes = signingString ?? []
        hasSigningString = signingString != nil
        self.eventIDs = eventIDs
        self.timestamp = timestamp
        storedRequestID = ""
        hasStoredRequestID = false
    }

    /// Equal when every field, the request id included, is equal (however it is held).
    public static func == (a: RenderedRequest, b: RenderedRequest) -> Bool {
        a.method == b.method && a.url == b.url && a.headers == b.headers && a.body == b.body && a.signingString == b.signingString
            && a.eventIDs == b.eventIDs && a.timestamp == b.timestamp && a.requestID == b.requestID
    }

    /// The first header with this name, compared case-insensitively (HTTP header names are).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    /// The body as text (bodies are UTF-8: JSON, NDJSON or form encoding).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The signing string as text, or nil.
    public var signingStringText: String? { signingString.map { String(decoding: $0, as: UTF8.self) } }
}
