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
            all.append(finalHeader)
            return all
        }
        set {
            sharedHeaders = []
            ownHeaderList = newValue
            finalHeader = HTTPHeaderField(name: "", value: "")
            hasFinalHeader = false
        }
    }
    /// The first headers: a list the renderer built once and shares between its requests
    /// (the plan's constant headers and a constant auth header), held without a copy.
    public private(set) var sharedHeaders: [HTTPHeaderField]
    /// The headers rendered for this request (idempotency key, signature, ...), after
    /// ``sharedHeaders`` (made into a list when read: see ``headerParts``).
    public var ownHeaders: [HTTPHeaderField] { hasFinalHeader ? ownHeaderList + [finalHeader] : ownHeaderList }
    /// The headers as held, without making a list: ``sharedHeaders``, then `list`, then
    /// `final` when there is one (a request signed with one header holds it there).
    public var headerParts: (shared: [HTTPHeaderField], list: [HTTPHeaderField], final: HTTPHeaderField?) {
        (sharedHeaders, ownHeaderList, hasFinalHeader ? finalHeader : nil)
    }
    /// The exact body bytes (empty for bodyless methods).
    public var body: [UInt8] {
        didSet {
            // The signing string held as "the body" keeps the bytes that were signed.
            if signingStringIsBody {
                signingBytes = oldValue
                signingStringIsBody = false
            }
        }
    }
    /// The exact bytes that were signed, or nil when the plan does not sign.
    public var signingString: [UInt8]? {
        get { hasSigningString ? (signingStringIsBody ? body : signingBytes) : nil }
        set {
            hasSigningString = newValue != nil
            signingBytes = newValue ?? []
            signingStringIsBody = false
        }
    }
    /// Ids of the events carried, in body order. A request of one event holds its id
    /// inline (no list is allocated); reading this then makes a one-element list, so hot
    /// readers use ``eventIDCount`` and ``firstEventID``.
    public var eventIDs: [String] {
        get { hasSingleEventID ? [singleEventID] : eventIDList }
        set {
            // A request id held as "the event id" keeps the id it was rendered with.
            if requestIDIsEventID {
                storedRequestID = singleEventID
                hasStoredRequestID = true
                requestIDIsEventID = false
            }
            if newValue.count == 1 {
                singleEventID = newValue[0]
                eventIDList = []
                hasSingleEventID = true
            } else {
                singleEventID = ""
                eventIDList = newValue
                hasSingleEventID = false
            }
        }
    }
    /// The number of events carried (``eventIDs``'s count, without making the list).
    public var eventIDCount: Int { hasSingleEventID ? 1 : eventIDList.count }
    /// The first event's id (``eventIDs``'s first, without making the list).
    public var firstEventID: String? { hasSingleEventID ? singleEventID : eventIDList.first }
    /// The `@timestamp` the request was rendered with (Unix seconds).
    public var timestamp: Int64
    /// The `@request_id` the request was rendered with (derived from ``eventIDs`` when read,
    /// for a request rendered without reading it; see ``RequestIdentity``).
    public var requestID: String {
        get {
            if hasStoredRequestID { return storedRequestID }
            // RequestIdentity's id of one id is that id (nil, here "", when it is empty).
            return hasSingleEventID ? singleEventID : RequestIdentity.id(forEventIDs: eventIDList) ?? ""
        }
        set {
            storedRequestID = newValue
            hasStoredRequestID = true
            requestIDIsEventID = false
        }
    }
    /// The id as rendered (when ``hasStoredRequestID``); otherwise it is ``RequestIdentity``'s
    /// id for ``eventIDs``, left to be derived when read (hashing the ids of every batch costs
    /// ~1k instructions per event, for an id the wire bytes often do not contain).
    private var storedRequestID: String
    private var hasStoredRequestID: Bool
    /// The request was rendered with its one event's id as its id, held once (as the event id).
    private var requestIDIsEventID: Bool
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
    /// The signed bytes are ``body`` (a plan signing `{{@body}}`): held once, not twice.
    private var signingStringIsBody: Bool
    /// ``ownHeaders``: the list, then ``finalHeader`` when ``hasFinalHeader``.
    private var ownHeaderList: [HTTPHeaderField]
    private var finalHeader: HTTPHeaderField
    private var hasFinalHeader: Bool
    /// ``eventIDs``: the one id inline when ``hasSingleEventID``, else the list.
    private var singleEventID: String
    private var eventIDList: [String]
    private var hasSingleEventID: Bool

    /// Creates a request.
    public init(method: String, url: String, headers: [HTTPHeaderField], body: [UInt8], signingString: [UInt8]?,
                eventIDs: [String], timestamp: Int64, requestID: String) {
        self.init(method: method, url: url, sharedHeaders: [], ownHeaders: headers, finalHeader: nil, body: body, signingString: signingString,
                  eventIDs: RenderedEventIDs(eventIDs), timestamp: timestamp, requestID: requestID)
    }

    /// Creates a request from its parts; `requestID` nil leaves it to be derived from the
    /// event ids when read (every id must then be non-empty, ``RequestIdentity/hasID(_:)``).
    /// Headers are `sharedHeaders`, `ownHeaders`, then `finalHeader`.
    init(method: String, url: String, sharedHeaders: [HTTPHeaderField], ownHeaders: [HTTPHeaderField], finalHeader: HTTPHeaderField?,
         body: [UInt8], signingString: [UInt8]?, eventIDs: RenderedEventIDs, timestamp: Int64, requestID: String?) {
        self.method = method
        self.url = url
        self.sharedHeaders = sharedHeaders
        ownHeaderList = ownHeaders
        self.finalHeader = finalHeader ?? HTTPHeaderField(name: "", value: "")
        hasFinalHeader = finalHeader != nil
        self.body = body
        hasSigningString = signingString != nil
        // The usual signing string is the body itself (the same storage): kept once.
        if let signingString, signingString.withUnsafeBufferPointer({ s in body.withUnsafeBufferPointer { $0.baseAddress == s.baseAddress && $0.count == s.count } }) {
            signingBytes = []
            signingStringIsBody = true
        } else {
            signingBytes = signingString ?? []
            signingStringIsBody = false
        }
        var storesID = requestID != nil
        switch eventIDs {
        case .single(let id):
            singleEventID = id
            eventIDList = []
            hasSingleEventID = true
            // A request id that is the event id (RequestIdentity's id of one event) is derived when read.
            // Compared by bytes: `==` also equates canonically equivalent spellings, and the id
            // read back must be the very one given.
            if let requestID, !id.isEmpty, sameUTF8(requestID, id) { storesID = false }
            requestIDIsEventID = !storesID && requestID != nil
        case .list(let ids):
            singleEventID = ""
            eventIDList = ids
            hasSingleEventID = false
            requestIDIsEventID = false
        }
        self.timestamp = timestamp
        storedRequestID = storesID ? requestID ?? "" : ""
        hasStoredRequestID = storesID
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
        return hasFinalHeader && finalHeader.name.lowercased() == lower ? finalHeader.value : nil
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
func sameUTF8(_ a: String, _ b: String) -> Bool {
    if sameStringValue(a, b) { return true }
    let count = a.utf8.count
    guard count == b.utf8.count else { return false }
    if let same = a.utf8.withContiguousStorageIfAvailable({ x in
        b.utf8.withContiguousStorageIfAvailable { y in x.elementsEqual(y) }
    }), let same { return same }
    return a.utf8.elementsEqual(b.utf8)
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
