import DSJSON
import DSPlan
import DSTemplate

/// `@sent_at`: the time a request is sent, ISO 8601 UTC with milliseconds
/// (`2026-01-01T00:00:00.000Z`), read from the ``RenderEnvironment`` once per attempt, so a
/// retry carries its own send time and `@timestamp` is the same instant's whole seconds.
///
/// It is available in the body (payload mapping, template and partials, the event
/// wrapper, the batch envelope), in headers and in signing. A body that reads it is rebuilt
/// for every attempt, before signing, so a signature always covers the bytes sent. Payloads
/// waiting in a batch are built with ``placeholder``, a value of the same length, so the
/// byte limits measured while grouping hold for the real value (any date from 2001 to 2286
/// has as many digits in every `@sent_at` form: ISO text, Unix seconds, Unix milliseconds).
public enum SendTime {
    /// The data variable.
    public static let dataName = "sent_at"
    /// The value payloads are grouped with: 2026-01-01T00:00:00.000Z.
    public static let placeholder: JSONValue = value(milliseconds: FixedRenderEnvironment.fixtureTimestamp * 1000)

    /// The `@sent_at` value for a Unix time in milliseconds.
    public static func value(milliseconds: Int64) -> JSONValue { .string(Timestamps.iso8601(milliseconds: milliseconds)) }

    /// Where the plan reads `@sent_at`: in the body, and anywhere at all. A text scan, like
    /// ``SecretReferenceScanner``: it may over-approximate (a constant mentioning
    /// `@sent_at`), which costs a rebuild, never a wrong byte.
    public static func uses(_ plan: DeliveryPlan) -> (body: Bool, any: Bool) {
        func mentions(_ text: String) -> Bool { text.contains("@sent_at") }
        func mentions(_ value: JSONValue?) -> Bool { value.map { mentions(JSONWriter.string($0)) } ?? false }
        var body = false
        switch plan.payload.body {
        case .mapping(let m): body = mentions(m)
        case .template(let t): body = mentions(t) || plan.payload.partials.values.contains(where: mentions)
        case .canonical: break
        }
        body = body || mentions(plan.payload.wrapper) || (plan.batching.enabled && mentions(plan.batching.envelope))
        var any = body || plan.headers.contains { mentions($0.value) }
        if let s = plan.signing { any = any || mentions(s.content) || mentions(s.value) || s.headers.contains { mentions($0.value) } }
        return (body, any)
    }

    /// The forms the fixture send time (``placeholder``'s instant, what fixtures are rendered
    /// at) takes in a body: the ISO text, `datetime_utc` text, Unix seconds and milliseconds
    /// as numbers and as text. A comparison against a live request matches these by shape.
    public static let fixtureForms: Set<JSONValue> = {
        let s = FixedRenderEnvironment.fixtureTimestamp
        return [placeholder, .string(Timestamps.datetimeUTC(milliseconds: s * 1000)), .number(JSONNumber(Int(s))), .number(JSONNumber(Int(s * 1000))),
                .string(String(s)), .string(String(s * 1000))]
    }()

    /// The texts the fixture send time takes inside a text body (NDJSON lines, a form body):
    /// the ``fixtureForms`` strings, and the ISO and `datetime_utc` forms as a form body
    /// encodes them.
    static let fixtureTexts: [[UInt8]] = {
        var texts = fixtureForms.compactMap { v -> String? in
            switch v {
            case .string(let s): return s
            case .number(let n): return n.text
            default: return nil
            }
        }
        for case .string(let s) in fixtureForms {
            var encoded: [UInt8] = []
            PercentEncoding.appendFormComponent(s, into: &encoded)
            texts.append(String(decoding: encoded, as: UTF8.self))
        }
        return Array(Set(texts)).sorted().map { Array($0.utf8) }
    }()

    /// True if the text body `actual` equals `expected` (a fixture's body) except where
    /// `expected` holds the fixture send time (``fixtureTexts``): there `actual` must have
    /// a digit wherever the fixture has one and the same byte elsewhere. Every form has a
    /// fixed length, so the two bodies align byte for byte.
    public static func textMatches(expected: [UInt8], actual: [UInt8]) -> Bool {
        guard expected.count == actual.count else { return false }
        var masked = [Bool](repeating: false, count: expected.count)
        for text in fixtureTexts where !text.isEmpty && text.count <= expected.count {
            var i = 0
            while i + text.count <= expected.count {
                if expected[i] == text[0], Array(expected[i..<(i + text.count)]) == text {
                    for k in i..<(i + text.count) { masked[k] = true }
                }
                i += 1
            }
        }
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        for i in 0..<expected.count where expected[i] != actual[i] {
            guard masked[i], isDigit(expected[i]), isDigit(actual[i]) else { return false }
        }
        return true
    }

    /// True if `actual` has the shape of the fixture send-time form `expected`: the same JSON
    /// kind and the same text with every ASCII digit read as `0`.
    public static func sameShape(_ expected: JSONValue, _ actual: JSONValue) -> Bool {
        func shape(_ text: String) -> String { String(text.map { $0.isASCII && $0.isNumber ? "0" : $0 }) }
        switch (expected, actual) {
        case (.string(let a), .string(let b)): return shape(a) == shape(b)
        case (.number(let a), .number(let b)): return shape(a.text) == shape(b.text)
        default: return false
        }
    }
}
