import DSPlan
import DSSpec

/// The explicit form of each signing preset. A spec's own fields override these, and the
/// plan always shows the expanded result, so a reviewer sees exactly what is signed.
public enum SigningPresets {
    /// The expansion of a preset (secret left empty; the spec supplies it).
    public static func expansion(_ preset: SigningPreset) -> PlanSigning {
        switch preset {
        case .github:
            return PlanSigning(preset: preset.rawValue, algorithm: "hmac-sha256", secret: "", keyEncoding: "utf8", content: "{{@body}}",
                               encoding: "hex", header: "X-Hub-Signature-256", value: "sha256={{@signature}}", headers: [])
        case .stripe:
            return PlanSigning(preset: preset.rawValue, algorithm: "hmac-sha256", secret: "", keyEncoding: "utf8", content: "{{@timestamp}}.{{@body}}",
                               encoding: "hex", header: "Stripe-Signature", value: "t={{@timestamp}},v1={{@signature}}", headers: [], signatureJoiner: ",v1=")
        case .slack:
            return PlanSigning(preset: preset.rawValue, algorithm: "hmac-sha256", secret: "", keyEncoding: "utf8", content: "v0:{{@timestamp}}:{{@body}}",
                               encoding: "hex", header: "X-Slack-Signature", value: "v0={{@signature}}",
                               headers: [PlanHeader(name: "X-Slack-Request-Timestamp", value: "{{@timestamp}}")])
        case .shopify:
            return PlanSigning(preset: preset.rawValue, algorithm: "hmac-sha256", secret: "", keyEncoding: "utf8", content: "{{@body}}",
                               encoding: "base64", header: "X-Shopify-Hmac-Sha256", value: "{{@signature}}", headers: [])
        case .standardWebhooks:
            return PlanSigning(preset: preset.rawValue, algorithm: "hmac-sha256", secret: "", keyEncoding: "whsec_base64",
                               content: "{{@request_id}}.{{@timestamp}}.{{@body}}", encoding: "base64", header: "webhook-signature",
                               value: "v1,{{@signature}}",
                               headers: [PlanHeader(name: "webhook-id", value: "{{@request_id}}"), PlanHeader(name: "webhook-timestamp", value: "{{@timestamp}}")],
                               signatureJoiner: " v1,")
        case .seed:
            return PlanSigning(preset: preset.rawValue, algorithm: "hmac-sha256", secret: "", keyEncoding: "utf8", content: "{{@body}}",
                               encoding: "hex", header: "X-Signature-256", value: "sha256={{@signature}}", headers: [])
        }
    }
}
