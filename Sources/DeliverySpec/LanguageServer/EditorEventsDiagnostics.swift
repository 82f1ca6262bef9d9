import DSCompiler
import DSCore
import DSJSON
import DSSchema
import DSSpec
import Foundation

/// Diagnostics for a spec's sample events (`NAME.events.ndjson`): each line that `dspec render`
/// / `deliver` would refuse (not JSON, with the parser's code at its line:col; not an event
/// object), and, when the spec has a tracking plan (`events.schema`), each event that does not
/// match it (DS1006 at the failing value, with the instance pointer and the schema's reason).
enum EditorEventsDiagnostics {
    static func diagnose(_ source: SourceFile, specPath: String, lookup: (String) -> [UInt8]?) -> [Diagnostic] {
        let collector = DiagnosticCollector(source: source)
        let tracking = trackingPlan(specPath: specPath, lookup: lookup)
        let bytes = source.bytes
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = Array(bytes[start..<lineEnd])
            if line.contains(where: { $0 != 0x20 && $0 != 0x09 }) {
                check(SourceFile(path: source.path, bytes: line), offset: start, tracking: tracking, collector)
            }
            start = end + 1
        }
        return collector.sorted
    }

    static func check(_ part: SourceFile, offset: Int, tracking: TrackingPlan?, _ collector: DiagnosticCollector) {
        let local = DiagnosticCollector(source: part)
        guard let node = JSONParser().parse(part, diagnostics: local) else {
            for d in local.sorted {
                let at = (d.location?.offset ?? 0) + offset
                collector.emit(RuleCatalog.descriptor(d.code) ?? JSONParseRules.all[0], d.message, span: SourceSpan(start: at, end: at + 1), pointer: d.pointer)
            }
            return
        }
        func shifted(_ span: SourceSpan) -> SourceSpan { SourceSpan(start: span.start + offset, end: span.end + offset) }
        guard node.isObject else {
            collector.emit(DecodingRules.wrongType, "an event must be a JSON object, not \(node.typeName)", span: shifted(node.span), pointer: "",
                           hint: "An events file holds one event object per line (NDJSON).")
            return
        }
        guard let tracking, let (schema, errors) = tracking.violations(of: node.value) else { return }
        let name = node.value["event"]?.stringValue ?? node.value["type"]?.stringValue ?? "event"
        for e in errors.prefix(8) {
            let target = node.resolve(e.instanceLocation) ?? node
            let pointer = e.instanceLocation.isEmpty ? "/" : e.instanceLocation
            collector.emit(ContractRules.instanceMismatch, "\(name) does not match the tracking plan \(schema.path): \(pointer): \(e.message)",
                           span: shifted(target.span), pointer: pointer, hint: "schema keyword #\(e.keywordLocation) (\(e.absoluteKeywordLocation))")
        }
    }

    /// The spec's tracking plan, compiled with files read through `lookup` (open documents
    /// first, as the editor shows them); nil when there is no spec or no tracking plan.
    static func trackingPlan(specPath: String, lookup: (String) -> [UInt8]?) -> TrackingPlan? {
        guard let bytes = lookup(specPath) else { return nil }
        return withoutActuallyEscaping(lookup) { lookup in
            let loader = LookupContractLoader(directory: PathText.deletingLastComponent(specPath), lookup: lookup)
            var compiler = SpecCompiler()
            compiler.emitsPlan = false
            compiler.keepsSpec = false
            return compiler.compile(SourceFile(path: specPath, bytes: bytes), diagnostics: DiagnosticCollector(), contractLoader: loader).contracts.trackingPlan
        }
    }
}

/// A ``ContractLoader`` over the language server's file lookup; used only during one
/// synchronous compile (hence unchecked Sendable: it never leaves that call).
struct LookupContractLoader: ContractLoader, @unchecked Sendable {
    let directory: String
    let lookup: (String) -> [UInt8]?

    func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : FilePaths.join(directory.isEmpty ? "." : directory, path) }

    func load(_ path: String) -> ContractFile {
        let full = resolve(path)
        guard let bytes = lookup(full) else { return .failed("\(full): cannot read") }
        do { return .loaded(try JSONParser().parseValue(bytes), baseURI: "file://" + full) } catch { return .failed("\(full): not valid JSON") }
    }

    func schemaDocument(for uri: String) -> JSONValue? {
        guard uri.hasPrefix("file://"), let bytes = lookup(String(uri.dropFirst("file://".count))) else { return nil }
        return try? JSONParser().parseValue(bytes)
    }
}
