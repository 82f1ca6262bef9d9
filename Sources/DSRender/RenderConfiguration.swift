import DSCore
import DSJSON
import DSPlan
import DSTemplate

/// The values a plan's `{{@settings.NAME}}` and `{{@secrets.NAME}}` references resolve to.
///
/// Settings: each declared setting takes the given value, else the plan's default; a
/// required setting with neither is an error naming it, as is a value outside the setting's
/// `enum` or of the wrong JSON type. Undeclared names are ignored (lint reports templates
/// that read undeclared settings).
///
/// Secrets: only declared secrets are passed on. Every secret that a template or mapping the
/// renderer executes references must have a non-empty value, else the error names the secret
/// (never a value). Secrets the renderer does not execute (an OAuth client secret, used only
/// by the token fetcher) are not required here.
public struct RenderConfiguration: Sendable {
    /// Given setting values by name.
    public var settings: JSONObject
    /// Given secret values by name.
    public var secrets: JSONObject
    /// Sends every request to a loopback receiver instead (`--endpoint-override`): the
    /// scheme, host and port of each rendered URL are replaced, after it is validated.
    public var endpointOverride: EndpointOverride?

    /// Creates a configuration.
    public init(settings: JSONObject = JSONObject(), secrets: JSONObject = JSONObject(), endpointOverride: EndpointOverride? = nil) {
        self.settings = settings
        self.secrets = secrets
        self.endpointOverride = endpointOverride
    }

    /// Creates a configuration from parsed JSON files; anything but an object is an error.
    public init(settings: JSONValue?, secrets: JSONValue?) throws(RenderError) {
        func object(_ value: JSONValue?, _ what: String) throws(RenderError) -> JSONObject {
            guard let value else { return JSONObject() }
            guard case .object(let o) = value else { throw RenderError(.plan, "the \(what) must be a JSON object, not \(value.typeName)") }
            return o
        }
        self.settings = try object(settings, "settings")
        self.secrets = try object(secrets, "secrets")
    }
}

/// A configuration checked against one plan: the `data` dictionary every template receives
/// and the secret values to keep out of messages.
struct ResolvedConfiguration: Sendable {
    /// `["settings": {...}, "secrets": {...}]`.
    let data: [String: JSONValue]
    /// Secret string values by name, for scrubbing messages and for redaction.
    let secretValues: [(name: String, value: String)]
    /// The same values, in every encoded form, for ``scrub(_:)``.
    private let redactor: SecretRedactor

    /// Wraps already-resolved data (no plan checks), for components used on their own.
    init(data: [String: JSONValue], secretValues: [(name: String, value: String)]) {
        self.data = data
        self.secretValues = secretValues.sorted { $0.value.utf8.count > $1.value.utf8.count }
        redactor = SecretRedactor(self.secretValues)
    }

    init(plan: DeliveryPlan, configuration: RenderConfiguration, referencedSecrets: [String]) throws(RenderError) {
        var settings = JSONObject()
        var problems: [String] = []
        for setting in plan.settings {
            guard let value = configuration.settings[setting.name].flatMap({ $0.isNull ? nil : $0 }) ?? setting.defaultValue else {
                if setting.required { problems.append("required setting \"\(setting.name)\" has no value and no default") }
                continue
            }
            if let problem = Self.check(value, against: setting) { problems.append(problem); continue }
            settings[setting.name] = value
        }
        if !problems.isEmpty { throw RenderError(.setting, problems.joined(separator: "; ")) }

        var secrets = JSONObject()
        var values: [(String, String)] = []
        for name in plan.secrets {
            guard let value = configuration.secrets[name] else { continue }
            secrets[name] = value
            if let text = value.stringValue, !text.isEmpty { values.append((name, text)) }
        }
        let missing = referencedSecrets.filter { name in
            guard let value = secrets[name] else { return true }
            return value.isNull || value.stringValue == ""
        }
        if !missing.isEmpty {
            let list = missing.map { "\"\($0)\"" }.joined(separator: ", ")
            var message = "secret\(missing.count == 1 ? "" : "s") \(list) \(missing.count == 1 ? "has" : "have") no value; supply \(missing.count == 1 ? "it" : "them") in the secrets file"
            // A near miss in the given names is most likely a typo of the missing one.
            let given = configuration.secrets.map(\.key).filter { !plan.secrets.contains($0) }
            for name in missing {
                if let near = Suggestions.closest(to: name, in: given) { message += "; it has \"\(near)\": did you mean \"\(name)\"?" }
            }
            throw RenderError(.secret, message)
        }
        var data: [String: JSONValue] = ["settings": .object(settings), "secrets": .object(secrets)]
        if SendTime.uses(plan).body { data[SendTime.dataName] = SendTime.placeholder }
        if !plan.lookups.isEmpty {
            data[LookupTables.dataName] = .object(JSONObject(plan.lookups.map { ($0.name, $0.json) }))
        }
        self.data = data
        // Longest first, so a secret containing another is scrubbed whole.
        secretValues = values.sorted { $0.1.utf8.count > $1.1.utf8.count }.map { (name: $0.0, value: $0.1) }
        redactor = SecretRedactor(secretValues)
    }

    /// A type or enum problem with a setting value, or nil. The value is shown only in the
    /// enum case, where the allowed values are public anyway; settings are not secrets.
    static func check(_ value: JSONValue, against setting: PlanSetting) -> String? {
        let typeMatches: Bool
        switch setting.type {
        case "string": typeMatches = value.stringValue != nil
        case "boolean": typeMatches = value.boolValue != nil
        case "number": typeMatches = value.numberValue != nil
        case "integer": typeMatches = value.numberValue?.intValue != nil
        case "array": typeMatches = value.arrayValue != nil
        case "object": typeMatches = value.objectValue != nil
        default: typeMatches = true
        }
        if !typeMatches { return "setting \"\(setting.name)\" must be of type \(setting.type), not \(value.typeName)" }
        if let allowed = setting.allowed, !allowed.isEmpty, !allowed.contains(value) {
            let list = allowed.map { JSONWriter.string($0) }.joined(separator: ", ")
            return "setting \"\(setting.name)\" is \(JSONWriter.string(value)), which is not one of \(list)"
        }
        return nil
    }

    /// Fails if `names` (the lookup tables a template or mapping uses) holds a table the plan
    /// does not declare: such a plan is refused before anything renders, never sent with a
    /// value silently missing.
    func checkLookupTables(_ names: some Sequence<String>, site: String) throws(RenderError) {
        for name in names {
            guard case .object(let tables)? = data[LookupTables.dataName], tables[name] != nil else {
                throw RenderError(.plan, "\(site): uses lookup table \"\(name)\", which the plan does not declare under \"lookups\"")
            }
        }
    }

    /// `message` with every secret value replaced by `<redacted:NAME>`: engine errors are
    /// promised to be value-free, this makes sure of it (with ``SecretRedactor``, so an
    /// escaped or encoded secret is caught too).
    func scrub(_ message: String) -> String { redactor.redact(message) }
}

/// Finds the secret names a template source or mapping reads (`@secrets.NAME` and
/// `@secrets.[NAME]`), by scanning text. A scan rather than the engines' reference lists
/// covers templates and mappings alike, and over-approximates at worst (a reference inside a
/// comment still asks for the secret), which errs on the side of telling the user.
enum SecretReferenceScanner {
    static func names(inTemplate source: String) -> [String] {
        var found: [String] = []
        let marker = Array("@secrets.".utf8)
        let bytes = Array(source.utf8)
        var i = 0
        while i + marker.count <= bytes.count {
            guard bytes[i] == marker[0], Array(bytes[i..<(i + marker.count)]) == marker else { i += 1; continue }
            var j = i + marker.count
            var name: [UInt8] = []
            if j < bytes.count, bytes[j] == UInt8(ascii: "[") {
                j += 1
                while j < bytes.count, bytes[j] != UInt8(ascii: "]") { name.append(bytes[j]); j += 1 }
            } else {
                while j < bytes.count, isNameByte(bytes[j]) { name.append(bytes[j]); j += 1 }
            }
            if !name.isEmpty { found.append(String(decoding: name, as: UTF8.self)) }
            i = j
        }
        return found
    }

    static func names(inMapping value: JSONValue) -> [String] {
        switch value {
        case .string(let s): return names(inTemplate: s)
        case .array(let a): return a.flatMap(names(inMapping:))
        case .object(let o): return o.flatMap { names(inTemplate: $0.key) + names(inMapping: $0.value) }
        default: return []
        }
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        PercentEncoding.isASCIIAlphanumeric(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: "$") || b >= 0x80
    }
}
