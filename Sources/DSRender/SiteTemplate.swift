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
    /// True if the output becomes an HTTP header value, which must not hold CR, LF or NUL.
    let isHeader: Bool
    private let constant: [UInt8]?
    private let template: CompiledTemplate?

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
        } else {
            let compiled: CompiledTemplate
            do {
                compiled = try CompiledTemplate.compile(source, mode: mode, partials: partials)
            } catch {
                throw RenderError(.plan, "\(site): the template does not compile: \(configuration.scrub(error.message))")
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
            throw RenderError(.headerInjection, "\(site): the value contains CR, LF or NUL (header injection); check the plan and settings")
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
        if isHeader, out[start...].contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) {
            out.removeSubrange(start...)
            throw RenderError(.headerInjection, "\(site): the value would contain CR, LF or NUL (header injection); the request was not rendered")
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
                throw RenderError(.headerInjection, "\(site): the value would contain CR, LF or NUL (header injection); the request was not rendered")
            }
            throw RenderError(.render, "\(site): \(configuration.scrub(error.message))")
        }
    }

    static func hasHeaderBreak(_ bytes: [UInt8]) -> Bool {
        bytes.contains(where: isHeaderBreak)
    }

    /// CR, LF and NUL: the bytes that would end or corrupt a header line.
    @inline(__always)
    static func isHeaderBreak(_ b: UInt8) -> Bool { b == 0x0D || b == 0x0A || b == 0x00 }
}
