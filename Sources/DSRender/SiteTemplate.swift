import DSJSON
import DSTemplate

/// One template of a plan, compiled once for the place it renders into (a URL, a header, a
/// query value, an auth field), with its failures turned into ``RenderError``s that name
/// that place.
///
/// A template that reads nothing from the event (only `@settings` and `@secrets`, or no
/// variable at all) gives the same text for every request, so it is rendered once when the
/// renderer is built and its bytes are reused: most URLs, headers and credentials cost
/// nothing per request.
struct SiteTemplate: Sendable {
    /// Where the template renders, for messages: `header "User-Agent"`, `endpoint URL`.
    let site: String
    /// True if the output becomes an HTTP header value, which must not hold a control byte but HTAB.
    let isHeader: Bool
    private let constant: [UInt8]?
    private let template: CompiledTemplate?
    /// Settings the template reads, in source order (for messages about a rendered URL).
    let settingNames: [String]

    /// Data namespaces whose values are fixed for a renderer's lifetime.
    static let configurationNamespaces: Set<String> = ["settings", "secrets", "index", "key", "first", "last"]

    /// Compiles `source` for `site`; pre-renders it with `data` if it reads no event field.
    init(_ source: String, mode: TemplateMode, site: String, isHeader: Bool, data: [String: JSONValue],
         configuration: ResolvedConfiguration, partials: [String: String] = [:]) throws(RenderError) {
        self.site = site
        self.isHeader = isHeader
        if !source.contains("{{") {
            constant = Array(source.utf8)
            template = nil
            settingNames = []
        } else {
            let compiled: CompiledTemplate
            do {
                compiled = try CompiledTemplate.compile(source, mode: mode, partials: partials)
            } catch {
                throw RenderError(.plan, "\(site): the template does not compile: \(configuration.scrub(error.message))")
            }
            try configuration.checkLookupTables(compiled.lookupTables.map(\.name), site: site)
            var names: [String] = []
            for r in compiled.references where r.isData && r.segments.count >= 2 && r.segments[0] == "settings" && !names.contains(r.segments[1]) {
                names.append(r.segments[1])
            }
            settingNames = names
            // A URL is never built from unescaped event data: `{{{x}}}` may insert only a
            // setting (or another configuration value), never an event field or a helper's output.
            if mode == .url, compiled.unescapedHoles.contains(where: { !Self.configurationNamespaces.contains($0.dataPath?.first ?? "") }) {
                throw RenderError(.plan, "\(site): {{{...}}} inserts a value without percent-encoding; only a setting ({{{@settings.NAME}}}) may be inserted that way, use {{...}} for event data")
            }
            let readsEvent = compiled.references.contains { !$0.isData || !Self.configurationNamespaces.contains($0.segments.first ?? "") }
            if readsEvent {
                constant = nil
                template = compiled
            } else {
                var out: [UInt8] = []
                try Self.run(compiled, site: site, isHeader: isHeader, root: .null, data: data, configuration: configuration, into: &out)
                constant = out
                template = nil
            }
        }
        if let constant, isHeader, Self.hasHeaderBreak(constant) {
            throw RenderError(.headerInjection, "\(site): the value contains CR, LF, NUL or another control character (header injection); check the plan and settings")
        }
    }

    /// True if the output is the same for every event.
    var isConstant: Bool { constant != nil }

    /// The pre-rendered text of a constant template.
    var constantText: String? { constant.map { String(decoding: $0, as: UTF8.self) } }

    /// Appends the rendering for `event`.
    @inline(__always)
    func render(_ event: JSONValue, data: [String: JSONValue], configuration: ResolvedConfiguration, into out: inout [UInt8]) throws(RenderError) {
        if let constant {
            out.append(contentsOf: constant)
            return
        }
        let start = out.count
        try Self.run(template!, site: site, isHeader: isHeader, root: event, data: data, configuration: configuration, into: &out)
        if isHeader, out[start...].contains(where: Self.isHeaderBreak) {
            out.removeSubrange(start...)
            throw RenderError(.headerInjection, "\(site): the value would contain CR, LF, NUL or another control character (header injection); the request was not rendered")
        }
    }

    /// The rendering for `event` as a string.
    func string(_ event: JSONValue, data: [String: JSONValue], configuration: ResolvedConfiguration) throws(RenderError) -> String {
        if let constant { return String(decoding: constant, as: UTF8.self) }
        var out: [UInt8] = []
        try render(event, data: data, configuration: configuration, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func run(_ template: CompiledTemplate, site: String, isHeader: Bool, root: JSONValue, data: [String: JSONValue],
                            configuration: ResolvedConfiguration, into out: inout [UInt8]) throws(RenderError) {
        do {
            try template.render(root, data: data, into: &out)
        } catch {
            if isHeader {
                throw RenderError(.headerInjection, "\(site): the value would contain CR, LF, NUL or another control character (header injection); the request was not rendered")
            }
            throw RenderError(.render, "\(site): \(configuration.scrub(error.message))")
        }
    }

    static func hasHeaderBreak(_ bytes: [UInt8]) -> Bool {
        bytes.contains(where: isHeaderBreak)
    }

    /// The bytes a header field value must not hold (RFC 9110 section 5.5 allows VCHAR,
    /// obs-text, SP and HTAB): CR, LF and NUL, which would end or corrupt the header line,
    /// and every other control byte 0x01-0x1F (HTAB excepted) and DEL 0x7F, which servers
    /// and proxies treat inconsistently (some reject, some strip, some pass them on).
    @inline(__always)
    static func isHeaderBreak(_ b: UInt8) -> Bool { (b < 0x20 && b != 0x09) || b == 0x7F }
}
