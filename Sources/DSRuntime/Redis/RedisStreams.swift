/// Where `dspec deliver --source redis://...` reads: the parsed source URL.
///
/// `redis://HOST:PORT/STREAM?group=G&consumer=C` plus optional tuning parameters
/// (`count`, `block_ms`, `max_pending`, `claim_idle_ms`, `max_deliveries`, `dead_letter_stream`).
/// `rediss://` (TLS) is refused: dspec's socket client has no TLS.
public struct RedisSourceURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var stream: String
    public var group: String
    public var consumer: String
    /// Entries asked for per `XREADGROUP` / `XAUTOCLAIM`.
    public var count = 100
    /// How long one `XREADGROUP` blocks waiting for new entries.
    public var blockMs = 200
    /// The most entries this worker holds unacknowledged (backpressure).
    public var maxPending = 1000
    /// How long an entry must have been pending with another consumer before it is claimed.
    public var claimIdleMs = 30_000
    /// An entry delivered more often than this is dead-lettered as poison.
    public var maxDeliveries = 5
    /// Dead letters also go to this stream (`XADD`), when set.
    public var deadLetterStream: String?

    public struct Failure: Error, Sendable, Equatable { public let message: String }

    /// Parses a source URL.
    public init(_ text: String) throws(Failure) {
        let server = try RedisServerURL(text)
        host = server.host
        port = server.port
        guard let path = server.path, !path.isEmpty else { throw Failure(message: "\(text): the URL names no stream (redis://HOST:PORT/STREAM?group=G&consumer=C)") }
        stream = path
        var group: String?
        var consumer: String?
        for (key, value) in server.query {
            func int(_ range: ClosedRange<Int>) throws(Failure) -> Int {
                guard let n = Int(value), range.contains(n) else { throw Failure(message: "\(text): \(key) must be an integer from \(range.lowerBound) to \(range.upperBound)") }
                return n
            }
            switch key {
            case "group": group = value
            case "consumer": consumer = value
            case "count": count = try int(1...10_000)
            case "block_ms": blockMs = try int(1...60_000)
            case "max_pending": maxPending = try int(1...1_000_000)
            case "claim_idle_ms": claimIdleMs = try int(1...86_400_000)
            case "max_deliveries": maxDeliveries = try int(1...1_000_000)
            case "dead_letter_stream": deadLetterStream = value.isEmpty ? nil : value
            default:
                throw Failure(message: "\(text): unknown parameter \"\(key)\" (group, consumer, count, block_ms, max_pending, claim_idle_ms, max_deliveries, dead_letter_stream)")
            }
        }
        guard let group, !group.isEmpty else { throw Failure(message: "\(text): group=NAME is required") }
        guard let consumer, !consumer.isEmpty else { throw Failure(message: "\(text): consumer=NAME is required (unique per worker, e.g. the pod name)") }
        self.group = group
        self.consumer = consumer
    }
}

/// `redis://HOST[:PORT][/PATH][?k=v&...]`: the part shared by the source and the shared rate limit.
public struct RedisServerURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// The path without its leading slash, percent-decoded; nil when absent.
    public var path: String?
    public var query: [(String, String)]

    public static func == (a: RedisServerURL, b: RedisServerURL) -> Bool {
        a.host == b.host && a.port == b.port && a.path == b.path && a.query.map { [$0.0, $0.1] } == b.query.map { [$0.0, $0.1] }
    }

    /// Parses the URL; `rediss://` and anything else than `redis://` is refused with the reason.
    public init(_ text: String) throws(RedisSourceURL.Failure) {
        if text.hasPrefix("rediss://") {
            throw RedisSourceURL.Failure(message: "\(text): rediss:// (TLS) is not supported: dspec's own socket client has no TLS; use redis:// on a trusted network or a TLS sidecar (stunnel, a service mesh)")
        }
        guard text.hasPrefix("redis://") else { throw RedisSourceURL.Failure(message: "\(text): expected a redis://HOST:PORT/... URL") }
        var rest = Substring(text.dropFirst("redis://".count))
        var queryText: Substring = ""
        if let q = rest.firstIndex(of: "?") { queryText = rest[rest.index(after: q)...]; rest = rest[..<q] }
        var pathText: Substring?
        if let s = rest.firstIndex(of: "/") { pathText = rest[rest.index(after: s)...]; rest = rest[..<s] }
        guard !rest.contains("@") else { throw RedisSourceURL.Failure(message: "\(text): credentials in the URL are not supported (no AUTH)") }
        var hostText = rest
        var port = 6379
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw RedisSourceURL.Failure(message: "\(text): unterminated IPv6 address") }
            hostText = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":", let p = Int(after.dropFirst()), (1...65535).contains(p) else { throw RedisSourceURL.Failure(message: "\(text): invalid port") }
                port = p
            }
        } else if let colon = rest.lastIndex(of: ":") {
            hostText = rest[..<colon]
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else { throw RedisSourceURL.Failure(message: "\(text): invalid port") }
            port = p
        }
        guard !hostText.isEmpty else { throw RedisSourceURL.Failure(message: "\(text): the URL names no host") }
        host = String(hostText)
        self.port = port
        path = try pathText.map { p throws(RedisSourceURL.Failure) in try Self.decode(p, text) }
        query = []
        for pair in queryText.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            query.append((try Self.decode(kv[0], text), kv.count > 1 ? try Self.decode(kv[1], text) : ""))
        }
    }

    static func decode(_ s: Substring, _ text: String) throws(RedisSourceURL.Failure) -> String {
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let c = bytes.first {
            bytes = bytes.dropFirst()
            if c == UInt8(ascii: "%") {
                guard bytes.count >= 2, let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) else {
                    throw RedisSourceURL.Failure(message: "\(text): invalid percent escape")
                }
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// One stream entry: its ID and fields (nil fields: the entry was deleted while pending).
public struct StreamEntry: Sendable, Equatable {
    public var id: String
    public var fields: [(name: String, value: [UInt8])]?

    public init(id: String, fields: [(name: String, value: [UInt8])]?) {
        self.id = id
        self.fields = fields
    }

    public static func == (a: StreamEntry, b: StreamEntry) -> Bool {
        a.id == b.id && a.fields?.map { [Array($0.name.utf8), $0.value] } == b.fields?.map { [Array($0.name.utf8), $0.value] }
    }

    /// The value of the first field called `name`.
    public func field(_ name: String) -> [UInt8]? { fields?.first { $0.name == name }?.value }
}

/// The commands the stream source sends and the shapes of their replies (pure; the edge
/// sends them over a socket). A reply of an unexpected shape is an error with its reason.
public enum RedisStreamProtocol {
    public struct ReplyError: Error, Sendable, Equatable { public let message: String }

    /// Entries of an `[[id, [field, value, ...]], ...]` array (`XRANGE`, `XAUTOCLAIM`'s second element).
    public static func entries(_ v: RESPValue) throws(ReplyError) -> [StreamEntry] {
        if v.isNull { return [] }
        guard let items = v.elements else { throw ReplyError(message: "expected an array of entries") }
        var out: [StreamEntry] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let pair = item.elements, pair.count == 2, let id = pair[0].text else { throw ReplyError(message: "expected [id, fields] for an entry") }
            if pair[1].isNull { out.append(StreamEntry(id: id, fields: nil)); continue }
            guard let flat = pair[1].elements, flat.count % 2 == 0 else { throw ReplyError(message: "expected an even field list for entry \(id)") }
            var fields: [(name: String, value: [UInt8])] = []
            var i = 0
            while i < flat.count {
                guard let name = flat[i].text, case .bulk(let value?) = flat[i + 1] else { throw ReplyError(message: "expected bulk field names and values in entry \(id)") }
                fields.append((name, value))
                i += 2
            }
            out.append(StreamEntry(id: id, fields: fields))
        }
        return out
    }

    /// `XREADGROUP ... STREAMS s ID` reply: `[[stream, entries]]`, or null after a BLOCK timeout.
    public static func readGroup(_ v: RESPValue) throws(ReplyError) -> [StreamEntry] {
        if case .error(let e) = v { throw ReplyError(message: e) }
        if v.isNull { return [] }
        guard let streams = v.elements else { throw ReplyError(message: "XREADGROUP: expected an array") }
        var out: [StreamEntry] = []
        for s in streams {
            guard let pair = s.elements, pair.count == 2 else { throw ReplyError(message: "XREADGROUP: expected [stream, entries]") }
            out += try entries(pair[1])
        }
        return out
    }

    /// `XAUTOCLAIM` reply: `[next cursor, entries, deleted ids]` (the third element since Redis 7).
    public static func autoClaim(_ v: RESPValue) throws(ReplyError) -> (cursor: String, entries: [StreamEntry], deleted: [String]) {
        if case .error(let e) = v { throw ReplyError(message: e) }
        guard let parts = v.elements, parts.count >= 2, let cursor = parts[0].text else { throw ReplyError(message: "XAUTOCLAIM: expected [cursor, entries, ...]") }
        var deleted: [String] = []
        if parts.count >= 3, let ids = parts[2].elements { deleted = ids.compactMap(\.text) }
        return (cursor, try entries(parts[1]), deleted)
    }

    /// `XPENDING key group start end count [consumer]` reply: id -> times delivered.
    public static func deliveryCounts(_ v: RESPValue) throws(ReplyError) -> [String: Int] {
        if case .error(let e) = v { throw ReplyError(message: e) }
        guard let rows = v.elements else { throw ReplyError(message: "XPENDING: expected an array") }
        var out: [String: Int] = [:]
        for row in rows {
            guard let r = row.elements, r.count == 4, let id = r[0].text, case .integer(let n) = r[3] else { throw ReplyError(message: "XPENDING: expected [id, consumer, idle, deliveries]") }
            out[id] = Int(clamping: n)
        }
        return out
    }
}
