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
///
/// Held for cheap building and dropping (a request is made and destroyed per event): the
/// renderer's constant headers are shared, one signature header is held with its value inline
/// (``InlineHeaderValue``, no `String`), one event id is held without a list, and what is
/// usually empty or the same as another field (the signing string that is the body, the
/// request id that is the event id) is an enum case without a payload, so it holds no
/// reference to count.
public struct RenderedRequest: Sendable, Equatable {
    /// The HTTP method (`POST`, ...).
    public var method: String
    /// The absolute URL, path and query already percent-encoded.
    public var url: String
    /// Headers in emission order: plan headers, then auth, then signing headers: the
    /// ``sharedHeaders`` then the ``ownHeaders``. Reading it joins the parts into a new list
    /// when more than one is non-empty: the transport reads ``headerParts`` instead. Setting
    /// it makes every header the request's own.
    public var headers: [HTTPHeaderField] {
        get {
            if !hasFinalHeader { return sharedHeaders.isEmpty ? ownHeaderList : ownHeaderList.isEmpty ? sharedHeaders : sharedHeaders + ownHeaderList }
            var all: [HTTPHeaderField] = []
            all.reserveCapacity(sharedHeaders.count + ownHeaderList.count + 1)
            all += sharedHeaders
            all += ownHeaderList
            all.append(HTTPHeaderField(name: finalHeaderName, value: finalHeaderValue.text))
            return all
        }
        set {
            sharedHeaders = []
            ownHeaderList = newValue
            finalHeaderName = ""
            finalHeaderValue = InlineHeaderValue()
            hasFinalHeader = false
        }
    }
    /// The first headers: a list the renderer built once and shares between its requests
    /// (the plan's constant headers and a constant auth header), held without a copy.
    public private(set) var sharedHeaders: [HTTPHeaderField]
    /// The headers rendered for this request (idempotency key, signature, ...), after
    /// ``sharedHeaders`` (made into a list when read: see ``headerParts``).
    public var ownHeaders: [HTTPHeaderField] {
        hasFinalHeader ? ownHeaderList + [HTTPHeaderField(name: finalHeaderName, value: finalHeaderValue.text)] : ownHeaderList
    }
    /// The headers as held, without making a list or a `String`: ``sharedHeaders``, then
    /// `list`, then `final` when there is one (a request signed with one header holds it
    /// there, its value as bytes: ``InlineHeaderValue``).
    public var headerParts: (shared: [HTTPHeaderField], list: [HTTPHeaderField], final: InlineHeaderField?) {
        (sharedHeaders, ownHeaderList, hasFinalHeader ? InlineHeaderField(name: finalHeaderName, value: finalHeaderValue) : nil)
    }
    /// The exact body bytes (empty for bodyless methods).
    public var body: [UInt8] {
        didSet {
            // The signing string held as "the body" keeps the bytes that were signed.
            if case .body = signing { signing = .bytes(oldValue) }
        }
    }
    /// The exact bytes that were signed, or nil when the plan does not sign.
    public var signingString: [UInt8]? {
        get {
            switch signing {
            case .none: return nil
            case .body: return body
            case .bytes(let bytes): return bytes
            }
        }
        set { signing = newValue.map { .bytes($0) } ?? .none }
    }
    /// Ids of the events carried, in body order. A request of one event holds its id
    /// inline (no list is allocated); reading this then makes a one-element list, so hot
    /// readers use ``eventIDCount`` and ``firstEventID``.
    public var eventIDs: [String] {
        get { ids.list }
        set {
            // A request id held as "the event id" keeps the id it was rendered with.
            if case .eventID = requestIDStorage, case .single(let id) = ids { requestIDStorage = .stored(id) }
            ids = RenderedEventIDs(newValue)
        }
    }
    /// The number of events carried (``eventIDs``'s count, without making the list).
    public var eventIDCount: Int {
        switch ids {
        case .single: return 1
        case .list(let list): return list.count
        }
    }
    /// The first event's id (``eventIDs``'s first, without making the list).
    public var firstEventID: String? {
        switch ids {
        case .single(let id): return id
        case .list(let list): return list.first
        }
    }
    /// The `@timestamp` the request was rendered with (Unix seconds).
    public var timestamp: Int64
    /// The `@request_id` the request was rendered with (derived from ``eventIDs`` when read,
    /// for a request rendered without reading it; see ``RequestIdentity``).
    public var requestID: String {
        get {
            switch requestIDStorage {
            case .stored(let id): return id
            case .eventID, .derived:
                // RequestIdentity's id of one id is that id (nil, here "", when it is empty).
                switch ids {
                case .single(let id): return id
                case .list(let list): return RequestIdentity.id(forEventIDs: list) ?? ""
                }
            }
        }
        set { requestIDStorage = .stored(newValue) }
    }

    // What is usually empty or the same as another field is an enum case without a payload
    // (no reference to retain or release when a request is copied or dropped).
    private var signing: RenderedSigning
    private var requestIDStorage: RenderedRequestID
    /// ``eventIDs``: one id, or the list.
    private var ids: RenderedEventIDs
    /// ``ownHeaders``: the list, then the final header (name and inline value) when ``hasFinalHeader``.
    private var ownHeaderList: [HTTPHeaderField]
    private var finalHeaderName: String
    private var finalHeaderValue: InlineHeaderValue
    private var hasFinalHeader: Bool

    /// Creates a request.
    public init(method: String, url: String, headers: [HTTPHeaderField], body: [UInt8], signingString: [UInt8]?,
                eventIDs: [String], timestamp: Int64, requestID: String) {
        self.init(method: method, url: url, sharedHeaders: [], ownHeaders: headers, finalHeaderName: nil, finalHeaderValue: InlineHeaderValue(),
                  body: body, signing: RenderedSigning(signingString, body: body), eventIDs: RenderedEventIDs(eventIDs), timestamp: timestamp,
                  requestID: requestID)
    }

    /// ``init(method:url:sharedHeaders:ownHeaders:finalHeaderName:finalHeaderValue:body:signingString:eventIDs:timestamp:requestID:)``
    /// with a final header given as text: held inline when it fits, else last in the own list.
    init(method: String, url: String, sharedHeaders: [HTTPHeaderField], ownHeaders: [HTTPHeaderField], finalTextHeader finalHeader: HTTPHeaderField?,
         body: [UInt8], signingString: [UInt8]?, eventIDs: RenderedEventIDs, timestamp: Int64, requestID: String?) {
        var own = ownHeaders
        var inline: InlineHeaderField?
        if let finalHeader {
            inline = InlineHeaderField(finalHeader)
            if inline == nil { own.append(finalHeader) }
        }
        self.init(method: method, url: url, sharedHeaders: sharedHeaders, ownHeaders: own, finalHeaderName: inline?.name,
                  finalHeaderValue: inline?.value ?? InlineHeaderValue(), body: body, signing: RenderedSigning(signingString, body: body),
                  eventIDs: eventIDs, timestamp: timestamp, requestID: requestID)
    }

    /// Creates a request from its parts; `requestID` nil leaves it to be derived from the
    /// event ids when read (every id must then be non-empty, ``RequestIdentity/hasID(_:)``).
    /// Headers are `sharedHeaders`, `ownHeaders`, then the final header when
    /// `finalHeaderName` is not nil (its value `finalHeaderValue`).
    @inline(__always)
    init(method: String, url: String, sharedHeaders: [HTTPHeaderField], ownHeaders: [HTTPHeaderField], finalHeaderName: String?,
         finalHeaderValue: InlineHeaderValue, body: [UInt8], signing: RenderedSigning, eventIDs: RenderedEventIDs, timestamp: Int64,
         requestID: String?) {
        let storage: RenderedRequestID
        if let requestID {
            // A request id that is the event id (RequestIdentity's id of one event) is held as
            // that id. Compared by bytes: `==` also equates canonically equivalent spellings,
            // and the id read back must be the very one given.
            if case .single(let id) = eventIDs, !id.isEmpty, sameUTF8(requestID, id) { storage = .eventID } else { storage = .stored(requestID) }
        } else {
            storage = .derived
        }
        self.init(method: method, url: url, sharedHeaders: sharedHeaders, ownHeaders: ownHeaders, finalHeaderName: finalHeaderName,
                  finalHeaderValue: finalHeaderValue, body: body, signing: signing, eventIDs: eventIDs, timestamp: timestamp, requestID: storage)
    }

    /// Creates a request from its parts, its id held as `requestID` says (``RenderedRequestID/eventID``
    /// only for one non-empty event id that is the id).
    @inline(__always)
    init(method: String, url: String, sharedHeaders: [HTTPHeaderField], ownHeaders: [HTTPHeaderField], finalHeaderName: String?,
         finalHeaderValue: InlineHeaderValue, body: [UInt8], signing: RenderedSigning, eventIDs: RenderedEventIDs, timestamp: Int64,
         requestID: RenderedRequestID) {
        self.method = method
        self.url = url
        self.sharedHeaders = sharedHeaders
        ownHeaderList = ownHeaders
        self.finalHeaderName = finalHeaderName ?? ""
        self.finalHeaderValue = finalHeaderValue
        hasFinalHeader = finalHeaderName != nil
        self.body = body
        self.signing = signing
        ids = eventIDs
        requestIDStorage = requestID
        self.timestamp = timestamp
    }

    /// Equal when every field, the request id included, is equal (however it is held).
    public static func == (a: RenderedRequest, b: RenderedRequest) -> Bool {
        a.method == b.method && a.url == b.url && a.headers == b.headers && a.body == b.body && a.signingString == b.signingString
            && a.eventIDs == b.eventIDs && a.timestamp == b.timestamp && a.requestID == b.requestID
    }

    /// The first header with this name, compared case-insensitively (HTTP header names are).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        if let field = sharedHeaders.first(where: { $0.name.lowercased() == lower }) ?? ownHeaderList.first(where: { $0.name.lowercased() == lower }) {
            return field.value
        }
        return hasFinalHeader && finalHeaderName.lowercased() == lower ? finalHeaderValue.text : nil
    }

    /// The body as text (bodies are UTF-8: JSON, NDJSON or form encoding).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The signing string as text, or nil.
    public var signingStringText: String? { signingString.map { String(decoding: $0, as: UTF8.self) } }
}

/// True when `a` and `b` are the very same string value in memory (the same small-string
/// bytes, or the same storage object and count), so their UTF-8 bytes are equal; false when
/// unsure (a String layout other than 16 bytes). Not `==`, which also equates canonically
/// equivalent strings whose bytes differ. The one place dspec reads a String's raw bits.
@inlinable @inline(__always)
public func sameStringValue(_ a: String, _ b: String) -> Bool {
    guard MemoryLayout<String>.size == 16 else { return false }
    return unsafeBitCast(a, to: (UInt64, UInt64).self) == unsafeBitCast(b, to: (UInt64, UInt64).self)
}

/// True when `a` and `b` hold the same UTF-8 bytes (not `==`, which also equates canonically
/// equivalent spellings). The usual pair is one string twice (a request id that is its event
/// id): the same 16 bytes (one small string's bytes, or one storage object and count) say
/// so without reading the text; otherwise the bytes are compared where they are
/// (`utf8.elementsEqual` walked them one at a time: ~600 instructions per request).
@inline(__always)
public func sameUTF8(_ a: String, _ b: String) -> Bool {
    if sameStringValue(a, b) { return true }
    let count = a.utf8.count
    guard count == b.utf8.count else { return false }
    if let same = a.utf8.withContiguousStorageIfAvailable({ x in
        b.utf8.withContiguousStorageIfAvailable { y in x.elementsEqual(y) }
    }), let same { return same }
    return a.utf8.elementsEqual(b.utf8)
}

/// The signed bytes of a request: none (the plan does not sign), the body itself (a plan
/// signing `{{@body}}`: held once, not twice), or their own bytes.
enum RenderedSigning {
    case none
    case body
    case bytes([UInt8])

    /// `signingString` of a request with `body`: `.body` when it is the very same storage.
    init(_ signingString: [UInt8]?, body: borrowing [UInt8]) {
        guard let signingString else { self = .none; return }
        let isBody = signingString.withUnsafeBufferPointer { s in body.withUnsafeBufferPointer { $0.baseAddress == s.baseAddress && $0.count == s.count } }
        self = isBody ? .body : .bytes(signingString)
    }
}

/// How a request's id is held: as given, as its one event's id (the request was rendered with
/// its event's id as its id: held once), or derived from the event ids when read
/// (``RequestIdentity``'s id: hashing the ids of every batch costs ~1k instructions per
/// event, for an id the wire bytes often do not contain).
enum RenderedRequestID {
    case stored(String)
    case eventID
    case derived
}

/// The event ids of a request being built: one id (held inline by the request) or a list.
enum RenderedEventIDs {
    case single(String)
    case list([String])

    init(_ ids: [String]) { self = ids.count == 1 ? .single(ids[0]) : .list(ids) }

    /// The ids as a list.
    var list: [String] {
        switch self {
        case .single(let id): return [id]
        case .list(let ids): return ids
        }
    }
}
