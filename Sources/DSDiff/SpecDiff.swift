import DSCore
import DSJSON
import DSPlan
import DSRender

/// One side of a diff: a compiled plan, and where it came from.
public struct DiffSide: Sendable {
    /// The plan.
    public var plan: DeliveryPlan
    /// The spec source, when the side was a spec (for line and column).
    public var source: SourceFile?
    /// The parsed spec, when the side was a spec.
    public var document: JSONNode?
    /// Settings and secrets used to render the wire diff.
    public var configuration: RenderConfiguration

    /// Creates a side.
    public init(plan: DeliveryPlan, source: SourceFile? = nil, document: JSONNode? = nil, configuration: RenderConfiguration = RenderConfiguration()) {
        self.plan = plan
        self.source = source
        self.document = document
        self.configuration = configuration
    }
}

/// The result of a diff.
public struct DiffReport: Sendable {
    /// Every change, plan layer first, in pointer order.
    public var changes: [ClassifiedChange]
    /// Why the wire diff could not run, if it could not.
    public var wireNote: String?
    /// True when the requests both plans render were compared.
    public var wireDiffRan: Bool = false

    /// What every report says when no events were given: the plans were compared, the
    /// requests were not.
    public static let noEventsNote = "wire diff skipped: no events; pass --events FILE"

    /// The highest class present, or nil when nothing changed.
    public var highest: ChangeClass? { changes.map(\.changeClass).max() }
}

/// `dspec diff`: compares two plans (normalized, so reorders and defaults made explicit are
/// no change) and, given events, the requests both render for them.
public enum SpecDiff {
    /// Compares two sides.
    public static func compare(old: DiffSide, new: DiffSide, events: [JSONValue]?) -> DiffReport {
        var changes = classify(StructuralDiff.diff(PlanNormalizer.normalize(old.plan), PlanNormalizer.normalize(new.plan)), old: old, new: new)
        var note: String?
        var ran = false
        if let events, !events.isEmpty {
            do {
                let environment = FixedRenderEnvironment()
                let a = try RequestRenderer(plan: old.plan, configuration: old.configuration).renderAll(events, environment: environment)
                let b = try RequestRenderer(plan: new.plan, configuration: new.configuration).renderAll(events, environment: environment)
                changes += WireDiff.compare(old: a, new: b, oldPlan: old.plan, newPlan: new.plan)
                ran = true
            } catch {
                note = "wire diff skipped: \(error.message)"
            }
        } else {
            note = DiffReport.noEventsNote
        }
        return DiffReport(changes: changes, wireNote: note, wireDiffRan: ran)
    }

    /// Classifies plan deltas; status outcome deltas are merged into ranges.
    static func classify(_ deltas: [PlanDelta], old: DiffSide, new: DiffSide) -> [ClassifiedChange] {
        var out: [ClassifiedChange] = []
        var outcomeRun: (first: Int, last: Int, old: String, new: String)?
        func flushOutcomes() {
            guard let run = outcomeRun else { return }
            let codes = run.first == run.last ? "\(run.first)" : "\(run.first)-\(run.last)"
            out.append(ClassifiedChange(rule: "response.outcome-changed", changeClass: .risky, layer: "plan",
                                        pointer: "/response/outcomes/by_status/\(codes)", message: "status \(codes): \(run.old) -> \(run.new)",
                                        old: .string(run.old), new: .string(run.new), oldSourcePointer: SourceMapping.specPointer("/response/rules", in: old.document),
                                        newSourcePointer: SourceMapping.specPointer("/response/rules", in: new.document)))
            outcomeRun = nil
        }
        for d in deltas {
            if d.pointer.hasPrefix("/response/outcomes/by_status/"), let code = Int(d.pointer.split(separator: "/").last ?? ""),
               let o = d.old?.stringValue, let n = d.new?.stringValue {
                if let run = outcomeRun, run.last + 1 == code, run.old == o, run.new == n {
                    outcomeRun!.last = code
                } else {
                    flushOutcomes()
                    outcomeRun = (code, code, o, n)
                }
                continue
            }
            flushOutcomes()
            let rule = DiffRules.plan.first { $0.matches(d.pointer) }!
            out.append(ClassifiedChange(rule: rule.id, changeClass: rule.classify(d), layer: "plan", pointer: d.pointer,
                                        message: describe(d), old: d.old, new: d.new,
                                        oldSourcePointer: d.kind == .added ? nil : SourceMapping.specPointer(d.pointer, in: old.document),
                                        newSourcePointer: d.kind == .removed ? nil : SourceMapping.specPointer(d.pointer, in: new.document)))
        }
        flushOutcomes()
        return out
    }

    static func describe(_ d: PlanDelta) -> String {
        func short(_ v: JSONValue?) -> String {
            guard let v else { return "nothing" }
            let text = JSONWriter.string(v)
            return text.count > 80 ? String(text.prefix(77)) + "..." : text
        }
        switch d.kind {
        case .added: return "\(d.pointer) added: \(short(d.new))"
        case .removed: return "\(d.pointer) removed (was \(short(d.old)))"
        case .changed: return "\(d.pointer): \(short(d.old)) -> \(short(d.new))"
        }
    }
}

/// Maps a pointer of the normalized plan to where the user wrote it in a spec.
enum SourceMapping {
    /// Custom Webhook config fields for plan pointers.
    static let webhook: [(String, String)] = [
        ("/endpoint/url", "/config/url"), ("/endpoint/method", "/config/method"), ("/endpoint/timeout_ms", "/config/timeout_ms"),
        ("/batching/max_events", "/config/batch_size"), ("/batching/max_wait_ms", "/config/batch_interval_ms"),
        ("/batching/enabled", "/config/batch_enabled"), ("/rate_limit", "/config/rate_limit_rps"),
        ("/payload/template", "/config/payload_template"), ("/payload/format", "/config/payload_format"),
        ("/signing/header", "/config/hmac_header"), ("/signing/secret", "/config/hmac_secret"), ("/signing", "/config/hmac_secret"),
        ("/auth", "/config/auth"), ("/events/consent", "/config/consent"), ("/headers", "/config/headers"),
    ]

    static func specPointer(_ planPointer: String, in document: JSONNode?) -> String? {
        guard let document else { return nil }
        var candidate = planPointer
        if document["config"] != nil {
            for (plan, spec) in webhook where planPointer == plan || planPointer.hasPrefix(plan + "/") {
                candidate = spec + planPointer.dropFirst(plan.count)
                break
            }
        }
        var tokens = JSONPointer.tokens(candidate) ?? []
        // Headers are keyed by lowercase name in the normalized plan; find the spelling used.
        if tokens.count >= 2, tokens[0] == "headers" || (tokens[0] == "config" && tokens[1] == "headers") {
            let i = tokens[0] == "headers" ? 1 : 2
            let parent = "/" + tokens[0..<i].joined(separator: "/")
            if i < tokens.count, let members = document.resolve(parent)?.members,
               let m = members.first(where: { $0.key.lowercased() == tokens[i] }) {
                tokens = Array(tokens[0..<i]) + [m.key]
            }
        }
        if tokens.first == "response", tokens.count > 1, tokens[1] == "outcomes" { tokens = ["response", "rules"] }
        while !tokens.isEmpty {
            let p = "/" + tokens.map(JSONPointer.escape).joined(separator: "/")
            if document.resolve(p) != nil { return p }
            tokens.removeLast()
        }
        return ""
    }
}
