import DSCore
import DSJSON
import DSSpec

/// One variable read by a template or mapping, located in the spec file.
public struct VariableUse {
    /// Path segments after the namespace marker (`@settings.region` -> ["settings", "region"]).
    public var segments: [String]
    /// True for data variables (`@...`).
    public var isData: Bool
    /// True when read relative to a block or `@each` context (not from the event root).
    public var isRelative: Bool
    /// Where in the spec file.
    public var span: SourceSpan
    /// Pointer of the template or directive in the spec.
    public var pointer: String
    /// Data names meaningful at the site.
    public var allowedData: Set<String>
    /// Site description.
    public var site: String

    /// Second segment (the name inside a data namespace), or "".
    public var name: String { segments.count > 1 ? segments[1] : "" }
}

/// Every variable read anywhere in the spec, from templates and mappings alike.
enum ReferenceIndex {
    static func all(in context: ValidationContext) -> [VariableUse] {
        var out: [VariableUse] = []
        for t in context.templates {
            guard let compiled = t.compiled else { continue }
            for r in compiled.references {
                out.append(VariableUse(segments: r.segments, isData: r.isData, isRelative: r.isRelative,
                                       span: context.span(in: t.text, offset: r.offset, length: r.length), pointer: t.text.pointer,
                                       allowedData: t.allowedData, site: t.site))
            }
        }
        for m in context.mappings {
            guard let compiled = m.compiled else { continue }
            for r in compiled.references {
                let pointer = m.pointer + r.pointer
                let span = context.spec.root.resolve(pointer)?.span ?? m.node.span
                out.append(VariableUse(segments: r.segments, isData: r.isData, isRelative: r.isRelative, span: span, pointer: pointer,
                                       allowedData: m.allowedData, site: m.site))
            }
        }
        return out
    }

    /// Uses of one data namespace (`settings` or `secrets`) with a name.
    static func uses(in context: ValidationContext, namespace: String) -> [VariableUse] {
        all(in: context).filter { $0.isData && $0.segments.first == namespace && $0.segments.count > 1 }
    }
}
