import DSCore
import DSJSON
import DSSpec

/// One use of a lookup table (`@lookup` in a mapping, `lookup_table` in a template), located.
struct LookupUse {
    /// The table named.
    var name: String
    /// Where to report it.
    var span: SourceSpan
    /// Pointer of the directive or template in the spec.
    var pointer: String
}

/// Every lookup table use of a spec, and whether the list is complete (it is not when a
/// template or mapping failed to compile: its uses are unknown).
enum LookupUses {
    static func collect(in context: ValidationContext) -> (uses: [LookupUse], complete: Bool) {
        var uses: [LookupUse] = []
        var complete = true
        for t in context.templates {
            guard let compiled = t.compiled else { complete = false; continue }
            for use in compiled.lookupTables {
                let span = use.partial == nil ? context.span(in: t.text, offset: use.offset, length: use.length) : t.text.span
                uses.append(LookupUse(name: use.name, span: span, pointer: t.text.pointer))
            }
        }
        for m in context.mappings {
            guard let compiled = m.compiled else { complete = false; continue }
            for use in compiled.lookupTables {
                let pointer = m.pointer + use.pointer
                var span = context.spec.root.resolve(pointer)?.span ?? m.node.span
                if let offset = use.offset, let node = context.spec.root.resolve(pointer), let text = node.stringValue {
                    span = context.span(in: TemplateText(text, span: node.span, pointer: pointer), offset: offset, length: use.length)
                }
                uses.append(LookupUse(name: use.name, span: span, pointer: pointer))
            }
        }
        return (uses, complete)
    }
}
