import DSCore
import DSJSON
import DSPlan
import DSRender

/// Rules for differences between the requests two plans render for the same events.
public enum WireRules {
    /// Rule ids and summaries (for docs and reports).
    public static let all: [(id: String, changeClass: ChangeClass, summary: String)] = [
        ("wire.request-count-changed", .risky, "The same events produce a different number of requests."),
        ("wire.request-added", .risky, "A request carries events none of the old requests carried (requests are matched by event id)."),
        ("wire.request-removed", .risky, "A request of the old version has no counterpart carrying any of its events."),
        ("wire.event-added", .risky, "A batch carries an event its matched old batch did not (batch elements are matched by event id)."),
        ("wire.event-removed", .risky, "An event of the old batch is no longer in its matched batch."),
        ("wire.method-changed", .breaking, "A request uses a different method."),
        ("wire.url-changed", .breaking, "A request goes to a different URL (path or query)."),
        ("wire.header-removed", .breaking, "A header the vendor received is gone."),
        ("wire.header-changed", .breaking, "A header value differs."),
        ("wire.header-added", .risky, "A new header is sent."),
        ("wire.derived-header-changed", .safe, "A signature or idempotency-key header differs only because the body, the events or the signing block it is computed from differ (for aws_sigv4, oauth1 and azure_sas: the Authorization header, whenever anything it signs or the auth block differs)."),
        ("wire.body-field-removed", .breaking, "A JSON body field the vendor received is gone."),
        ("wire.body-field-retyped", .breaking, "A JSON body field has a different JSON type."),
        ("wire.body-field-added", .risky, "A new JSON body field is sent."),
        ("wire.body-value-changed", .risky, "A JSON body field has a different value of the same type."),
        ("wire.body-changed", .breaking, "A non-JSON body differs."),
        ("wire.event-outcome-changed", .risky, "An event is filtered or fails in one version and not the other."),
    ]

    static func changeClass(_ id: String) -> ChangeClass { all.first { $0.id == id }?.changeClass ?? .risky }
}

/// How one plan lays out a request, as far as the wire diff needs it: where a batch's
/// per-event elements are, and which headers are computed from the body and event ids.
struct WireLayout {
    enum Batch: Equatable {
        /// One event per request: the body is that event's payload.
        case none
        /// The elements are the JSON array at this pointer of the body ("" for json_array).
        case array(pointer: String)
        /// One payload per line.
        case ndjson
    }

    var batch: Batch
    /// Lowercased names of headers whose value is computed from the body, the event ids or
    /// the clock: the signature header and the signing scheme's extra headers, the
    /// idempotency key.
    var derivedHeaders: Set<String>

    init(_ plan: DeliveryPlan?) {
        guard let plan else {
            batch = .none
            derivedHeaders = []
            return
        }
        switch (plan.batching.enabled, plan.batching.format) {
        case (false, _): batch = .none
        case (true, "ndjson"): batch = .ndjson
        case (true, "json_object"): batch = plan.batching.envelope.flatMap { Self.markerPointer($0, at: "") }.map { .array(pointer: $0) } ?? .none
        default: batch = .array(pointer: "")
        }
        var derived = Set<String>()
        if let s = plan.signing {
            derived.insert(s.header.lowercased())
            for h in s.headers { derived.insert(h.name.lowercased()) }
        }
        if let k = plan.response.idempotencyKeyHeader { derived.insert(k.lowercased()) }
        derivedHeaders = derived
        switch plan.auth {
        case .awsSigV4, .oauth1, .azureSAS: signsRequest = true
        default: signsRequest = false
        }
    }

    /// True for auth kinds whose `Authorization` header is a signature over the request
    /// (`aws_sigv4`, `oauth1`, `azure_sas`): it follows any other change of the request.
    var signsRequest = false

    /// Where the lowered `{"@batch": true}` marker (`{"@path": "@batch"}`) sits in an envelope.
    static func markerPointer(_ value: JSONValue, at pointer: String) -> String? {
        switch value {
        case .object(let o):
            if o.count == 1, o["@path"] == .string("@batch") { return pointer }
            for (k, v) in o { if let p = markerPointer(v, at: JSONPointer.appending(pointer, k)) { return p } }
        case .array(let a):
            for (i, v) in a.enumerated() { if let p = markerPointer(v, at: JSONPointer.appending(pointer, i)) { return p } }
        default: break
        }
        return nil
    }
}

/// Compares rendered requests: requests are matched by the event ids they carry (so an
/// event added to or removed from the selection does not shift every later request onto
/// its neighbour), then method, URL, headers by name, and JSON bodies structurally (not as
/// text, so a key reorder or whitespace is no change). Inside a batch, elements are matched
/// by event id too, and only matched pairs are compared field by field.
enum WireDiff {
    typealias Add = (String, String, String, JSONValue?, JSONValue?) -> Void

    static func compare(old: RenderRun, new: RenderRun, oldPlan: DeliveryPlan? = nil, newPlan: DeliveryPlan? = nil) -> [ClassifiedChange] {
        var out: [ClassifiedChange] = []
        func add(_ rule: String, _ pointer: String, _ message: String, _ a: JSONValue?, _ b: JSONValue?) {
            out.append(ClassifiedChange(rule: rule, changeClass: WireRules.changeClass(rule), layer: "wire", pointer: pointer,
                                        message: message, old: a, new: b, oldSourcePointer: nil, newSourcePointer: nil))
        }
        let oldLayout = WireLayout(oldPlan), newLayout = WireLayout(newPlan)
        let derived = oldLayout.derivedHeaders.union(newLayout.derivedHeaders)
        // A changed signing block is classified by the plan layer; its headers follow it.
        let signingChanged = oldPlan?.signing != newPlan?.signing
        if old.requests.count != new.requests.count {
            add("wire.request-count-changed", "/requests", "\(Plural.count(old.requests.count, "request")) before, \(new.requests.count) after",
                .int(old.requests.count), .int(new.requests.count))
        }
        let (pairs, removed, added) = matchRequests(old.requests, new.requests)
        for (i, j) in pairs {
            let a = old.requests[i], b = new.requests[j]
            let base = "/requests/\(j)"
            if a.method != b.method { add("wire.method-changed", base + "/method", "request \(j + 1): \(a.method) -> \(b.method)", .string(a.method), .string(b.method)) }
            if a.url != b.url { add("wire.url-changed", base + "/url", "request \(j + 1): URL changed", .string(a.url), .string(b.url)) }
            diffHeaders(a, b, base, derived: derived, signingChanged: signingChanged,
                        signedAuth: (oldLayout.signsRequest || newLayout.signsRequest) ? (oldPlan?.auth != newPlan?.auth) : nil, add)
            diffBodies(a, b, base, j, oldBase: "/old/requests/\(i)", layout: (oldLayout, newLayout), add)
        }
        for i in removed {
            let ids = old.requests[i].eventIDs
            add("wire.request-removed", "/old/requests/\(i)", "old request \(i + 1) (events \(ids.joined(separator: ", "))) has no counterpart",
                .array(ids.map { .string($0) }), nil)
        }
        for j in added {
            let ids = new.requests[j].eventIDs
            add("wire.request-added", "/requests/\(j)", "request \(j + 1) (events \(ids.joined(separator: ", "))) is new",
                nil, .array(ids.map { .string($0) }))
        }
        let oldOutcomes = Dictionary(old.outcomes.map { ($0.index, $0.status.rawValue) }, uniquingKeysWith: { x, _ in x })
        let newOutcomes = Dictionary(new.outcomes.map { ($0.index, $0.status.rawValue) }, uniquingKeysWith: { x, _ in x })
        for index in Set(oldOutcomes.keys).union(newOutcomes.keys).sorted() where oldOutcomes[index] != newOutcomes[index] {
            add("wire.event-outcome-changed", "/events/\(index)", "event \(index + 1): \(oldOutcomes[index] ?? "sent") -> \(newOutcomes[index] ?? "sent")",
                oldOutcomes[index].map { .string($0) }, newOutcomes[index].map { .string($0) })
        }
        return out
    }

    /// Pairs old and new requests that carry the same events, in order: each old request
    /// goes to the not-yet-matched later new request sharing the most event ids with it.
    /// Requests whose events have no id are paired by position among themselves.
    static func matchRequests(_ old: [RenderedRequest], _ new: [RenderedRequest]) -> (pairs: [(Int, Int)], removed: [Int], added: [Int]) {
        var requestsOfID: [String: [Int]] = [:]
        for (j, r) in new.enumerated() {
            for id in Set(r.eventIDs) where !id.isEmpty { requestsOfID[id, default: []].append(j) }
        }
        var pairs: [(Int, Int)] = []
        var used = Set<Int>()
        var last = -1
        var removed: [Int] = []
        var anonymousOld: [Int] = []
        for (i, r) in old.enumerated() {
            let ids = Set(r.eventIDs.filter { !$0.isEmpty })
            if ids.isEmpty { anonymousOld.append(i); continue }
            var overlap: [Int: Int] = [:]
            for id in ids { for j in requestsOfID[id] ?? [] where j > last && !used.contains(j) { overlap[j, default: 0] += 1 } }
            if let best = overlap.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }) {
                pairs.append((i, best.key))
                used.insert(best.key)
                last = best.key
            } else {
                removed.append(i)
            }
        }
        let anonymousNew = new.indices.filter { j in !used.contains(j) && new[j].eventIDs.allSatisfy(\.isEmpty) }
        for (i, j) in zip(anonymousOld, anonymousNew) { pairs.append((i, j)); used.insert(j) }
        removed += anonymousOld.dropFirst(anonymousNew.count)
        let added = new.indices.filter { !used.contains($0) }
        return (pairs.sorted { $0.1 < $1.1 }, removed.sorted(), added)
    }

    /// `signedAuth`: nil unless the auth signs the request; then whether the plan's auth block changed.
    private static func diffHeaders(_ a: RenderedRequest, _ b: RenderedRequest, _ base: String, derived: Set<String>, signingChanged: Bool,
                                    signedAuth: Bool?, _ add: Add) {
        var oldHeaders: [String: String] = [:], newHeaders: [String: String] = [:]
        for h in a.headers { oldHeaders[h.name.lowercased()] = h.value }
        for h in b.headers { newHeaders[h.name.lowercased()] = h.value }
        // A signature or idempotency key computed from a different body or event list must differ.
        let inputsDiffer = a.body != b.body || a.eventIDs != b.eventIDs || signingChanged
        // A request signature (SigV4, OAuth 1.0a, SAS) covers the URL and headers too, and its
        // auth block's own changes are classified by the plan layer.
        let signedInputsDiffer = signedAuth.map { authChanged in
            authChanged || inputsDiffer || a.url != b.url || a.method != b.method
                || oldHeaders.filter { $0.key != "authorization" } != newHeaders.filter { $0.key != "authorization" }
        } ?? false
        for name in Set(oldHeaders.keys).union(newHeaders.keys).sorted() {
            let p = base + "/headers/" + JSONPointer.escape(name)
            switch (oldHeaders[name], newHeaders[name]) {
            case (let x?, nil): add("wire.header-removed", p, "header \(name) no longer sent", .string(x), nil)
            case (nil, let y?): add("wire.header-added", p, "new header \(name)", nil, .string(y))
            case (let x?, let y?) where x != y:
                if name == "authorization" && signedInputsDiffer {
                    add("wire.derived-header-changed", p, "header \(name) is a signature over the changed request", .string(x), .string(y))
                } else if inputsDiffer && derived.contains(name) {
                    add("wire.derived-header-changed", p, "header \(name) follows the changed body or events", .string(x), .string(y))
                } else {
                    add("wire.header-changed", p, "header \(name) changed", .string(x), .string(y))
                }
            default: break
            }
        }
    }

    private static func diffBodies(_ a: RenderedRequest, _ b: RenderedRequest, _ base: String, _ j: Int, oldBase: String,
                                   layout: (old: WireLayout, new: WireLayout), _ add: Add) {
        if a.body == b.body { return }
        let bodyBase = base + "/body"
        if layout.old.batch == .ndjson && layout.new.batch == .ndjson {
            let x = lines(a.body), y = lines(b.body)
            if x.count == a.eventIDs.count, y.count == b.eventIDs.count, let px = try? x.map({ try JSONParser().parseValue($0) }),
               let py = try? y.map({ try JSONParser().parseValue($0) }) {
                diffElements(px, a.eventIDs, py, b.eventIDs, at: bodyBase, oldAt: oldBase + "/body", j, add)
                return
            }
            add("wire.body-changed", bodyBase, "request \(j + 1): body differs", nil, nil)
            return
        }
        guard let x = try? JSONParser().parseValue(a.body), let y = try? JSONParser().parseValue(b.body) else {
            add("wire.body-changed", bodyBase, "request \(j + 1): body differs", nil, nil)
            return
        }
        if case .array(let pointer) = layout.old.batch, layout.old.batch == layout.new.batch,
           case .array(let ex)? = resolve(x, pointer), case .array(let ey)? = resolve(y, pointer),
           ex.count == a.eventIDs.count, ey.count == b.eventIDs.count {
            // The envelope around the elements, then the elements by event id.
            diffValues(replacing(x, at: pointer, with: .array([])), replacing(y, at: pointer, with: .array([])), at: bodyBase, add)
            diffElements(ex, a.eventIDs, ey, b.eventIDs, at: bodyBase + pointer, oldAt: oldBase + "/body" + pointer, j, add)
            return
        }
        diffValues(x, y, at: bodyBase, add)
    }

    /// Batch elements matched by event id: added and removed events are reported as such,
    /// matched ones compared field by field at their new position.
    private static func diffElements(_ x: [JSONValue], _ xIDs: [String], _ y: [JSONValue], _ yIDs: [String], at pointer: String, oldAt oldPointer: String,
                                     _ j: Int, _ add: Add) {
        let usable = !xIDs.contains("") && !yIDs.contains("") && Set(xIDs).count == xIDs.count && Set(yIDs).count == yIDs.count
        guard usable else {
            diffValues(.array(x), .array(y), at: pointer, add)
            return
        }
        let oldIndex = Dictionary(uniqueKeysWithValues: xIDs.enumerated().map { ($1, $0) })
        let newIDs = Set(yIDs)
        for (k, id) in yIDs.enumerated() {
            let p = JSONPointer.appending(pointer, k)
            if let i = oldIndex[id] {
                diffValues(x[i], y[k], at: p, add)
            } else {
                add("wire.event-added", p, "request \(j + 1): event \(id) added to the batch", nil, y[k])
            }
        }
        for (i, id) in xIDs.enumerated() where !newIDs.contains(id) {
            add("wire.event-removed", JSONPointer.appending(oldPointer, i), "request \(j + 1): event \(id) no longer in the batch", x[i], nil)
        }
    }

    private static func diffValues(_ x: JSONValue, _ y: JSONValue, at pointer: String, _ add: Add) {
        for d in StructuralDiff.diff(x, y, at: pointer) {
            let field = fieldName(d.pointer)
            switch d.kind {
            case .removed: add("wire.body-field-removed", d.pointer, "body field \(field) removed", d.old, nil)
            case .added: add("wire.body-field-added", d.pointer, "body field \(field) added", nil, d.new)
            case .changed:
                let retyped = d.old?.typeName != d.new?.typeName && !(d.old?.numberValue != nil && d.new?.numberValue != nil)
                add(retyped ? "wire.body-field-retyped" : "wire.body-value-changed", d.pointer,
                    "body field \(field) \(retyped ? "changed type" : "changed value")", d.old, d.new)
            }
        }
    }

    /// The part of a wire pointer after `/requests/N/body`.
    static func fieldName(_ pointer: String) -> String {
        guard let r = pointer.range(of: "/body") else { return pointer }
        return String(pointer[r.upperBound...])
    }

    static func lines(_ body: [UInt8]) -> [ArraySlice<UInt8>] {
        body.split(separator: 0x0A, omittingEmptySubsequences: true)
    }

    static func resolve(_ value: JSONValue, _ pointer: String) -> JSONValue? {
        guard let tokens = JSONPointer.tokens(pointer) else { return nil }
        var v = value
        for t in tokens {
            switch v {
            case .object(let o): guard let n = o[t] else { return nil }; v = n
            case .array(let a): guard let i = Int(t), a.indices.contains(i) else { return nil }; v = a[i]
            default: return nil
            }
        }
        return v
    }

    static func replacing(_ value: JSONValue, at pointer: String, with replacement: JSONValue) -> JSONValue {
        guard let tokens = JSONPointer.tokens(pointer) else { return value }
        func go(_ v: JSONValue, _ rest: ArraySlice<String>) -> JSONValue {
            guard let t = rest.first else { return replacement }
            switch v {
            case .object(var o):
                if let n = o[t] { o[t] = go(n, rest.dropFirst()) }
                return .object(o)
            case .array(var a):
                if let i = Int(t), a.indices.contains(i) { a[i] = go(a[i], rest.dropFirst()) }
                return .array(a)
            default: return v
            }
        }
        return go(value, tokens[...])
    }
}
