import DSJSON
import DSMock
import DSPlan
import DSRuntime

/// A scripted vendor answer that a given status rule of the plan, and no earlier one,
/// classifies: a representative status of the rule, and an error body that carries the
/// rule's `body_contains` text and a known message where the plan's `error_message` pointer
/// looks, so the dead letter's parsed message can be checked exactly.
struct StatusProbe {
    /// The status.
    var status: Int
    /// The body bytes.
    var body: [UInt8]
    /// `Content-Type` of the body.
    var contentType: String
    /// The message the runtime should parse from the body.
    var message: String

    /// Statuses tried first, most typical of each class first. 1xx, 3xx and bodiless
    /// statuses are avoided: HTTP clients treat them specially, which is not what a status
    /// rule is about.
    static let preferred = [503, 500, 502, 504, 429, 400, 422, 404, 409, 410, 403, 401, 413, 418, 405, 200, 201, 202]

    /// The scripted response.
    func response(headers extra: [MockHeader] = []) -> MockResponse {
        MockResponse(status: status, headers: [MockHeader(name: "Content-Type", value: contentType)] + extra, body: body)
    }

    /// A probe for rule `index` of `plan`, or nil when no status and body reach it.
    static func probe(_ plan: DeliveryPlan, rule index: Int, only status: Int? = nil) -> StatusProbe? {
        let rules = plan.response.rules
        guard rules.indices.contains(index) else { return nil }
        let rule = rules[index]
        let classifier = StatusClassifier(rules: rules)
        var candidates = status.map { [$0] } ?? preferred
        if status == nil {
            for r in rule.status { candidates += [r.lowerBound, r.upperBound] }
        }
        for code in candidates where rule.status.contains(where: { $0.contains(code) }) {
            guard (200...599).contains(code), ![204, 205, 304].contains(code), !(300...399).contains(code) else { continue }
            let message = "conformance probe: status \(code) for rule \(index + 1)"
            for body in bodies(errorPointer: plan.response.errorMessage, message: message, needle: rule.bodyContains, match: rule.bodyMatch) {
                if classifier.classify(status: code, body: Array(body.text.utf8)).rule == index {
                    return StatusProbe(status: code, body: Array(body.text.utf8), contentType: body.json ? "application/json" : "text/plain; charset=utf-8",
                                       message: body.json && !(plan.response.errorMessage ?? "").isEmpty ? message : body.text)
                }
            }
        }
        return nil
    }

    /// Candidate bodies, JSON first: the message at the error pointer, with the needle
    /// spliced in as a member, a value, a key or inside a string, whichever parses as JSON and
    /// still contains the needle byte for byte; plain text last.
    /// With a JSON body condition (`body_pointer` / `body_equals`), the body also holds that
    /// value at that pointer.
    static func bodies(errorPointer: String?, message: String, needle: String?, match: PlanBodyMatch? = nil) -> [(text: String, json: Bool)] {
        let pointer = (errorPointer?.isEmpty ?? true) ? "/message" : errorPointer!
        var value = build(JSONPointer.tokens(pointer) ?? ["message"], .string(message))
        if let match, let tokens = JSONPointer.tokens(match.pointer) { value = merge(build(tokens, match.equals), value) }
        let base = JSONWriter.string(value)
        guard let needle, !needle.isEmpty else { return [(base, true), (message, false)] }
        var out: [(String, Bool)] = []
        if base.hasPrefix("{") && base.count > 2 {
            let inner = String(base.dropFirst())
            let member: String = "{" + needle + "," + inner
            let value: String = "{\"x-conformance\":" + needle + "," + inner
            let key: String = "{" + needle + ":[]," + inner
            let text: String = "{\"x-conformance\":\"" + needle + "\"," + inner
            for splice in [member, value, key, text] {
                if splice.contains(needle), let v = try? JSONParser().parseValue(splice), JSONPointer.resolve(pointer, in: v)?.stringValue == message {
                    out.append((splice, true))
                }
            }
        }
        out.append((message + " " + needle, false))
        return out
    }

    /// `a` with the members of `b` it lacks (objects merged recursively, `a` wins elsewhere).
    static func merge(_ a: JSONValue, _ b: JSONValue) -> JSONValue {
        guard case .object(let x) = a, case .object(let y) = b else { return a }
        var out = x
        for (k, v) in y { out[k] = out[k].map { merge($0, v) } ?? v }
        return .object(out)
    }

    /// A value holding `leaf` at the pointer tokens (numeric tokens make arrays).
    static func build(_ tokens: [String], _ leaf: JSONValue) -> JSONValue {
        guard let first = tokens.first else { return leaf }
        let inner = build(Array(tokens.dropFirst()), leaf)
        if let i = Int(first), i >= 0, i < 100 {
            return .array(Array(repeating: .object(JSONObject()), count: i) + [inner])
        }
        return .object(JSONObject([(first, inner)]))
    }
}
