import DSCore
import DSJSON
import DSRender

/// Rules for differences between the requests two plans render for the same events.
public enum WireRules {
    /// Rule ids and summaries (for docs and reports).
    public static let all: [(id: String, changeClass: ChangeClass, summary: String)] = [
        ("wire.request-count-changed", .risky, "The same events produce a different number of requests."),
        ("wire.method-changed", .breaking, "A request uses a different method."),
        ("wire.url-changed", .breaking, "A request goes to a different URL (path or query)."),
        ("wire.header-removed", .breaking, "A header the vendor received is gone."),
        ("wire.header-changed", .breaking, "A header value differs."),
        ("wire.header-added", .risky, "A new header is sent."),
        ("wire.body-field-removed", .breaking, "A JSON body field the vendor received is gone."),
        ("wire.body-field-retyped", .breaking, "A JSON body field has a different JSON type."),
        ("wire.body-field-added", .risky, "A new JSON body field is sent."),
        ("wire.body-value-changed", .risky, "A JSON body field has a different value of the same type."),
        ("wire.body-changed", .breaking, "A non-JSON body differs."),
        ("wire.event-outcome-changed", .risky, "An event is filtered or fails in one version and not the other."),
    ]

    static func changeClass(_ id: String) -> ChangeClass { all.first { $0.id == id }?.changeClass ?? .risky }
}

/// Compares rendered requests pairwise: method, URL, headers by name, JSON bodies
/// structurally (not as text), so a key reorder or whitespace is no change.
enum WireDiff {
    static func compare(old: RenderRun, new: RenderRun) -> [ClassifiedChange] {
        var out: [ClassifiedChange] = []
        func add(_ rule: String, _ pointer: String, _ message: String, _ a: JSONValue?, _ b: JSONValue?) {
            out.append(ClassifiedChange(rule: rule, changeClass: WireRules.changeClass(rule), layer: "wire", pointer: pointer,
                                        message: message, old: a, new: b, oldSourcePointer: nil, newSourcePointer: nil))
        }
        if old.requests.count != new.requests.count {
            add("wire.request-count-changed", "/requests", "\(Plural.count(old.requests.count, "request")) before, \(new.requests.count) after",
                .int(old.requests.count), .int(new.requests.count))
        }
        for i in 0..<min(old.requests.count, new.requests.count) {
            let a = old.requests[i], b = new.requests[i]
            let base = "/requests/\(i)"
            if a.method != b.method { add("wire.method-changed", base + "/method", "request \(i + 1): \(a.method) -> \(b.method)", .string(a.method), .string(b.method)) }
            if a.url != b.url { add("wire.url-changed", base + "/url", "request \(i + 1): URL changed", .string(a.url), .string(b.url)) }
            diffHeaders(a, b, base, add)
            diffBodies(a, b, base, i, add)
        }
        let oldOutcomes = Dictionary(old.outcomes.map { ($0.index, $0.status.rawValue) }, uniquingKeysWith: { x, _ in x })
        let newOutcomes = Dictionary(new.outcomes.map { ($0.index, $0.status.rawValue) }, uniquingKeysWith: { x, _ in x })
        for index in Set(oldOutcomes.keys).union(newOutcomes.keys).sorted() where oldOutcomes[index] != newOutcomes[index] {
            add("wire.event-outcome-changed", "/events/\(index)", "event \(index + 1): \(oldOutcomes[index] ?? "sent") -> \(newOutcomes[index] ?? "sent")",
                oldOutcomes[index].map { .string($0) }, newOutcomes[index].map { .string($0) })
        }
        return out
    }

    private static func diffHeaders(_ a: RenderedRequest, _ b: RenderedRequest, _ base: String,
                                    _ add: (String, String, String, JSONValue?, JSONValue?) -> Void) {
        var oldHeaders: [String: String] = [:], newHeaders: [String: String] = [:]
        for h in a.headers { oldHeaders[h.name.lowercased()] = h.value }
        for h in b.headers { newHeaders[h.name.lowercased()] = h.value }
        for name in Set(oldHeaders.keys).union(newHeaders.keys).sorted() {
            let p = base + "/headers/" + JSONPointer.escape(name)
            switch (oldHeaders[name], newHeaders[name]) {
            case (let x?, nil): add("wire.header-removed", p, "header \(name) no longer sent", .string(x), nil)
            case (nil, let y?): add("wire.header-added", p, "new header \(name)", nil, .string(y))
            case (let x?, let y?) where x != y: add("wire.header-changed", p, "header \(name) changed", .string(x), .string(y))
            default: break
            }
        }
    }

    private static func diffBodies(_ a: RenderedRequest, _ b: RenderedRequest, _ base: String, _ i: Int,
                                   _ add: (String, String, String, JSONValue?, JSONValue?) -> Void) {
        if a.body == b.body { return }
        guard let x = try? JSONParser().parseValue(a.body), let y = try? JSONParser().parseValue(b.body) else {
            add("wire.body-changed", base + "/body", "request \(i + 1): body differs", nil, nil)
            return
        }
        for d in StructuralDiff.diff(x, y, at: base + "/body") {
            switch d.kind {
            case .removed: add("wire.body-field-removed", d.pointer, "body field \(d.pointer.dropFirst(base.count + 5)) removed", d.old, nil)
            case .added: add("wire.body-field-added", d.pointer, "body field \(d.pointer.dropFirst(base.count + 5)) added", nil, d.new)
            case .changed:
                let retyped = d.old?.typeName != d.new?.typeName && !(d.old?.numberValue != nil && d.new?.numberValue != nil)
                add(retyped ? "wire.body-field-retyped" : "wire.body-value-changed", d.pointer,
                    "body field \(d.pointer.dropFirst(base.count + 5)) \(retyped ? "changed type" : "changed value")", d.old, d.new)
            }
        }
    }
}
