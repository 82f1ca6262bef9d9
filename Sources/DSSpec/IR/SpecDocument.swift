import DSCore
import DSJSON

/// Which input form a spec was written in. Both lower to the same IR.
public enum SpecInputForm: String, Sendable {
    /// The full Delivery Spec (`"dspec": 1` with `endpoint`, `payload`, ...).
    case deliverySpec = "delivery_spec"
    /// The seed's simpler Custom Webhook config (`"integration": "custom_webhook"`).
    case customWebhook = "custom_webhook"
}

/// The typed intermediate representation of a Delivery Spec: what the user wrote, with
/// positions, before defaults are filled in. Optional fields are absent when not written.
public struct SpecDocument: Sendable {
    /// The input form.
    public var form: SpecInputForm
    /// `dspec` format version.
    public var version: Located<Int>?
    /// Unique spec name (kebab-case).
    public var name: Located<String>?
    /// Free text.
    public var description: Located<String>?
    /// Declared per-installation settings, in declaration order.
    public var settings: [SettingDeclaration] = []
    /// Declared secrets, in declaration order.
    public var secrets: [SecretDeclaration] = []
    /// Which events the spec handles.
    public var events: EventSelection?
    /// Where requests go.
    public var endpoint: Endpoint?
    /// How requests authenticate.
    public var auth: Auth?
    /// Extra request headers (static or templated), in declaration order.
    public var headers: [HeaderDeclaration] = []
    /// How the body is built.
    public var payload: Payload?
    /// Event accumulation.
    public var batching: Batching?
    /// Request signing.
    public var signing: Signing?
    /// Token bucket.
    public var rateLimit: RateLimit?
    /// Status rules, retries and error parsing.
    public var response: ResponseHandling?
    /// Declared lookup tables, in declaration order.
    public var lookups: [LookupTableDeclaration] = []
    /// Per-partition request ordering (`"ordering"`); absent means `none`.
    public var ordering: Located<OrderingMode>?
    /// Lint suppressions declared in the spec (`"lint": {"suppress": [...]}`).
    public var suppressions: [Suppression] = []
    /// The vendor's request contract (`contract`), checked against every rendered request.
    public var contract: RequestContractReference?
    /// The parsed document the IR was read from (for rules that need raw nodes).
    public var root: JSONNode

    /// Creates an empty IR over a parsed document.
    public init(form: SpecInputForm, root: JSONNode) {
        self.form = form
        self.root = root
    }
}

/// The scalar types a setting can have.
public enum SettingType: String, Sendable, CaseIterable {
    case string, number, integer, boolean
}

/// One declared setting (`"settings": {"region": {...}}`).
public struct SettingDeclaration: Sendable {
    /// Setting name as used in `{{@settings.NAME}}`.
    public var name: Located<String>
    /// Declared type (default string).
    public var type: Located<SettingType>?
    /// Whether an installation must provide it.
    public var required: Located<Bool>?
    /// Value used when the installation gives none.
    public var defaultValue: Located<JSONValue>?
    /// Allowed values.
    public var allowed: Located<[JSONValue]>?
    /// Free text.
    public var description: Located<String>?
}

/// One declared secret (`"secrets": {"api_key": {}}`). Values are never in the spec.
public struct SecretDeclaration: Sendable {
    /// Secret name as used in `{{@secrets.NAME}}`.
    public var name: Located<String>
    /// Free text.
    public var description: Located<String>?
}

/// The canonical event types of the seed.
public enum EventType: String, Sendable, CaseIterable {
    case track, page, identify, screen, group, alias
}

/// Which events the spec delivers.
public struct EventSelection: Sendable {
    /// Event types (default: all).
    public var types: Located<[Located<EventType>]>?
    /// Event names for `track` (default: all).
    public var names: Located<[Located<String>]>?
    /// Consent categories an event must have been granted.
    public var consent: Located<[Located<String>]>?
    /// The tracking plan events follow (`events.schema`).
    public var schema: TrackingPlanReference?
}

/// A user-declared lint suppression: a rule code, where, and why.
public struct Suppression: Sendable {
    /// Rule code, e.g. `DS0311`.
    public var rule: Located<String>
    /// JSON pointer prefix the suppression applies to (default: whole file).
    public var pointer: Located<String>?
    /// Mandatory justification.
    public var reason: Located<String>?
}
