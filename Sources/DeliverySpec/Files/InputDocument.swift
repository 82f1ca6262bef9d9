import DSCompiler
import DSCore
import DSJSON
import DSPlan
import Foundation

/// What an input file is. The one place every command decides "Delivery Spec, Custom
/// Webhook config, compiled plan, suite or something else": by the document's top-level
/// keys, never by searching its text (a spec may mention `plan_version` in a string or an
/// `x-` extension) and never by its name alone.
public enum InputKind: Sendable, Equatable {
    /// A Delivery Spec: an object with the `"dspec"` version marker.
    case deliverySpec
    /// The seed's Custom Webhook form: an object with `"integration"` or `"config"`.
    case customWebhook
    /// A compiled plan: an object with a top-level `"plan_version"`.
    case plan
    /// A conformance suite: an object with `"cases"`, or a file named `NAME.suite.json`.
    case suite
    /// Not JSON at all (a spec with a syntax error looks like this too).
    case notJSON
    /// Valid JSON that is none of the above (fixtures, settings, package.json, ...).
    case other

    /// True for the two spec forms.
    public var isSpec: Bool { self == .deliverySpec || self == .customWebhook }

    /// A phrase for messages: "a compiled plan", "a conformance suite", ...
    public var phrase: String {
        switch self {
        case .deliverySpec: return "a Delivery Spec"
        case .customWebhook: return "a Custom Webhook config"
        case .plan: return "a compiled plan (it has \"plan_version\")"
        case .suite: return "a conformance suite"
        case .notJSON: return "not valid JSON"
        case .other: return "JSON that is not a spec (no \"dspec\": 1 marker, no Custom Webhook \"integration\"/\"config\")"
        }
    }
}

/// Classifies inputs and turns a spec or a plan into a plan, for every command.
public enum InputDocument {
    /// The kind of `bytes`; `path` only breaks ties for suites (`NAME.suite.json`).
    public static func kind(of bytes: [UInt8], path: String = "") -> InputKind {
        guard let value = try? JSONParser().parseValue(bytes) else {
            return path.hasSuffix(".suite.json") ? .suite : .notJSON
        }
        return kind(of: value, path: path)
    }

    /// The kind of a document parsed with positions (`JSONParser().parse`): the same answer as
    /// ``kind(of:path:)-([UInt8],_)`` on its bytes. `clean` says the parse reported nothing
    /// (``JSONParser/parseValue(_:)-(Collection<UInt8>)`` rejects any finding, such as a duplicate key).
    public static func kind(ofParsed node: JSONNode?, clean: Bool, path: String = "") -> InputKind {
        guard let node, clean else { return path.hasSuffix(".suite.json") ? .suite : .notJSON }
        guard node.isObject else { return path.hasSuffix(".suite.json") ? .suite : .other }
        if node.member("plan_version") != nil { return .plan }
        if node.member("integration") != nil || node.member("config") != nil { return .customWebhook }
        if node.member("dspec") != nil { return .deliverySpec }
        if node.member("cases") != nil || path.hasSuffix(".suite.json") { return .suite }
        return .other
    }

    /// The kind of an already parsed document.
    public static func kind(of value: JSONValue, path: String = "") -> InputKind {
        guard case .object(let o) = value else { return path.hasSuffix(".suite.json") ? .suite : .other }
        if o["plan_version"] != nil { return .plan }
        if o["integration"] != nil || o["config"] != nil { return .customWebhook }
        if o["dspec"] != nil { return .deliverySpec }
        if o["cases"] != nil || path.hasSuffix(".suite.json") { return .suite }
        return .other
    }

    /// True for a mock scenario (`dspec mock --scenario`, docs/mock-server.md): a file named
    /// `NAME.scenario.json`, or an object with `"routes"` that is none of the kinds above.
    public static func isMockScenario(_ bytes: [UInt8], path: String = "") -> Bool {
        if path.hasSuffix(".scenario.json") { return true }
        guard let value = try? JSONParser().parseValue(bytes), case .object(let o) = value else { return false }
        return kind(of: value, path: path) == .other && o["routes"] != nil
    }

    /// A plan read from a spec or a plan file.
    public struct Loaded: Sendable {
        /// The plan.
        public var plan: DeliveryPlan
        /// The file as read.
        public var source: SourceFile
        /// What the file was (`.plan`, or a spec form).
        public var kind: InputKind
        /// For a spec: the compiler's result (document, hoisted secrets).
        public var compilation: CompilationResult?
        /// For a spec: every diagnostic (warnings included), sorted.
        public var diagnostics: [Diagnostic]
    }

    /// Why no plan came out.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// One line for users.
        public var message: String
        /// The spec's diagnostics when it has errors (not suppressed), else empty.
        public var diagnostics: [Diagnostic]
        /// The source, for rendering diagnostics with their lines.
        public var source: SourceFile?
        /// True when a spec has errors (a finding); false for unusable input.
        public var isSpecError: Bool
        public var description: String { message }
    }

    /// Compiles a spec, or decodes a compiled plan, from `source`. `accepts` lists what the
    /// caller takes besides specs; anything else is refused with what it is and what to pass.
    public static func plan(from source: SourceFile, acceptsPlans: Bool = true, command: String,
                            compiler: SpecCompiler = SpecCompiler()) -> Result<Loaded, Failure> {
        let kind = kind(of: source.bytes, path: source.path)
        switch kind {
        case .plan:
            guard acceptsPlans else {
                return .failure(Failure(message: "\(source.path) is \(kind.phrase), not a spec; dspec \(command) takes the spec the plan was compiled from",
                                        diagnostics: [], source: source, isSpecError: false))
            }
            do {
                return .success(Loaded(plan: try DeliveryPlan(json: try JSONParser().parseValue(source.bytes)), source: source, kind: .plan,
                                       compilation: nil, diagnostics: []))
            } catch {
                return .failure(Failure(message: "\(source.path): not a valid plan: \(error)", diagnostics: [], source: source, isSpecError: false))
            }
        case .suite:
            return .failure(Failure(message: "\(source.path) is \(kind.phrase), not a spec; pass the spec it names (or run it with dspec test)",
                                    diagnostics: [], source: source, isSpecError: false))
        case .deliverySpec, .customWebhook, .notJSON, .other:
            // Compile: for a broken or unmarked spec the diagnostics say what is wrong.
            let collector = DiagnosticCollector(source: source)
            let result = compiler.compile(source, diagnostics: collector, contractLoader: FileContractLoader(specPath: source.path))
            let all = collector.sorted
            guard let plan = result.plan else {
                return .failure(Failure(message: "\(source.path) has errors", diagnostics: all.filter { $0.suppression == nil && $0.severity == .error },
                                        source: source, isSpecError: true))
            }
            return .success(Loaded(plan: plan, source: source, kind: kind, compilation: result, diagnostics: all))
        }
    }
}
