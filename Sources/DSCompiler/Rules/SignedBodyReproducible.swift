import DSCore
import DSSpec

/// A receiver that parses a JSON body and serializes it again before checking the HMAC
/// (Express: `JSON.stringify(req.body)`, as the seed's own Node sample does) only accepts a
/// body already in that form. A template's own spacing, numbers as the event wrote them
/// (`126.0`) and the writer's `\u2028` escapes all change under a re-serialisation.
public struct SignedBodyReproducible: ValidationRule {
    public static let descriptor = RuleDescriptor(
        code: "DS0603", name: "signed-body-reproducible", severity: .note,
        summary: "A signed JSON body should be sent in the form a re-serialising receiver reproduces.",
        hint: "Add \"normalize\": \"javascript\" to \"payload\" (the body is then sent as JSON.stringify writes it), or suppress this note if the receiver verifies the raw body.")
    public init() {}
    public func check(_ context: ValidationContext) {
        guard context.spec.form == .deliverySpec, let s = context.spec.signing else { return }
        let content = s.content?.value ?? s.preset.map { SigningPresets.expansion($0.value).content } ?? "{{@body}}"
        guard content.contains("@body") else { return }
        let payload = context.spec.payload
        let format = payload?.format?.value ?? (payload == nil ? .canonical : .json)
        guard format != .form, (payload?.normalize?.value ?? PayloadNormalization.none) == PayloadNormalization.none else { return }
        let why = payload?.template != nil
            ? "the signature covers the payload template's own text (its spacing) and numbers as events write them"
            : "the signature covers numbers as events write them (126.0, 1E21) and U+2028/U+2029 escaped"
        let message = "a receiver that verifies JSON.stringify of the parsed body (Express: JSON.stringify(req.body)) computes a different HMAC: \(why)"
        if let payload {
            context.report(Self.self, message, at: payload.node)
        } else {
            context.report(Self.self, message, at: s.node)
        }
    }
}
