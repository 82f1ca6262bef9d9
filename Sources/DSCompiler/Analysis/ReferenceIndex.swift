import DSCore
import DSJSON
import DSMapping
import DSSpec

/// One variable read by a template or mapping, located in the spec file.
public struct VariableUse {
    /// Path segments after the namespace marker (`@settings.region` -> ["settings", "region"]).
    public var segments: [String]
    /// True for data variables (`@...`).
    public var isData: Bool
    /// True when read relative to a block or `@each` context (not from the event root).
    public var isRelative: Bool
    /// Where in the spec file; computed only when a rule reports (see `ValidationContext.span(of:)`).
    var location: UseLocation
    /// Pointer of the template or directive in the spec: `pointerBase` + `pointerTail`,
    /// joined only when asked for (most uses are never reported).
    public var pointer: String {
        let base: String
        switch pointerBase {
        case .text(let text): base = text
        case .located(let location): base = location.string
        }
        let tail = pointerTail.string
        return tail.isEmpty ? base : base + tail
    }
    /// The template's pointer, or the mapping's.
    let pointerBase: PointerBase
    /// "" for a template; the directive's pointer inside its mapping otherwise (formed as
    /// text only when asked for).
    let pointerTail: MappingPointer
    /// Data names meaningful at the site.
    public var allowedData: Set<String>
    /// Site description.
    public var site: String

    /// The template's pointer (formed as text when read), or the mapping's text.
    enum PointerBase {
        case text(String)
        case located(SpecPointer)
    }

    /// How to find the use in the file, resolved lazily because most uses are never reported.
    enum UseLocation {
        case inTemplate(TemplateText, offset: Int, length: Int)
        case atPointer(fallback: SourceSpan)
    }

    /// Second segment (the name inside a data namespace), or "".
    public var name: String { segments.count > 1 ? segments[1] : "" }
}

/// Every variable read anywhere in the spec, from templates and mappings alike.
enum ReferenceIndex {
    static func all(in context: ValidationContext) -> [VariableUse] { context.variableUses }

    static let noTail = MappingPointer("")

    static func collect(in context: ValidationContext) -> [VariableUse] {
        var out: [VariableUse] = []
        // One exact-size list (it grew by doubling, a copy of every use each time).
        var count = 0
        for t in context.templates { count += t.compiled?.references.count ?? 0 }
        for m in context.mappings { count += m.compiled?.references.count ?? 0 }
        out.reserveCapacity(count)
        for t in context.templates {
            guard let compiled = t.compiled else { continue }
            for r in compiled.references {
                out.append(VariableUse(segments: r.segments, isData: r.isData, isRelative: r.isRelative,
                                       location: .inTemplate(t.text, offset: r.offset, length: r.length), pointerBase: .located(t.text.location), pointerTail: Self.noTail,
                                       allowedData: t.allowedData, site: t.site))
            }
        }
        for m in context.mappings {
            guard let compiled = m.compiled else { continue }
            for r in compiled.references {
                out.append(VariableUse(segments: r.segments, isData: r.isData, isRelative: r.isRelative,
                                       location: .atPointer(fallback: m.node.span), pointerBase: .text(m.pointer), pointerTail: r.location,
                                       allowedData: m.allowedData, site: m.site))
            }
        }
        return out
    }

    /// Uses of one data namespace (`settings` or `secrets`) with a name.
    static func uses(in context: ValidationContext, namespace: String) -> [VariableUse] {
        all(in: context).filter { isUse($0, of: namespace) }
    }

    /// Whether `use` is a use of `namespace` with a name (what `uses` keeps).
    static func isUse(_ use: VariableUse, of namespace: String) -> Bool {
        use.isData && use.segments.count > 1 && use.segments[0] == namespace
    }
}

extension ValidationContext {
    /// The span of a variable use in the spec file.
    func span(of use: VariableUse) -> SourceSpan {
        switch use.location {
        case .inTemplate(let text, let offset, let length): return span(in: text, offset: offset, length: length)
        case .atPointer(let fallback): return spec.root.resolve(use.pointer)?.span ?? fallback
        }
    }
}

/// The check shared by the "declared" and "used" rules of the two data namespaces
/// (`@secrets`, `@settings`): each rule states its namespace and wording, this does the work.
enum DeclarationCheck {
    /// Reports every reference to an undeclared name, with "did you mean".
    static func reportUndeclared<R: ValidationRule>(_ rule: R.Type, _ context: ValidationContext, namespace: String, declared: Set<String>, noun: String) {
        // Read in place: no filtered copy of the uses.
        for use in context.variableUses where ReferenceIndex.isUse(use, of: namespace) && !declared.contains(use.name) {
            let suggestion = Suggestions.closest(to: use.name, in: declared)
            var message = "\(noun) \"\(use.name)\" is referenced but not declared"
            if let suggestion { message += "; did you mean \"\(suggestion)\"?" }
            context.report(rule, message, span: context.span(of: use), pointer: use.pointer, suggestion: suggestion)
        }
    }

    /// Reports every declared name that nothing references (skipped after shape errors,
    /// whose missing IR would make every declaration look unused).
    static func reportUnused<R: ValidationRule>(_ rule: R.Type, _ context: ValidationContext, namespace: String, declared: [Located<String>], noun: String) {
        guard !context.hadShapeErrors else { return }
        var used = Set<String>()
        for use in context.variableUses where ReferenceIndex.isUse(use, of: namespace) { used.insert(use.name) }
        for name in declared where !used.contains(name.value) {
            context.report(rule, "\(noun) \"\(name.value)\" is declared but never used", at: name)
        }
    }
}
