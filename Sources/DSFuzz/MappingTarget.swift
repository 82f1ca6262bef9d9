import DSJSON
import DSMapping

/// Input: the mapping as JSON, then optionally NUL and the event as JSON.
enum MappingTarget {
    static func run(_ input: [UInt8], _ violations: inout [String]) {
        let (mappingBytes, eventBytes) = splitAtNUL(input)
        guard let spec = try? JSONParser().parseValue(mappingBytes) else { return }
        let problems = CompiledMapping.check(spec)
        let compiled: CompiledMapping
        do {
            compiled = try CompiledMapping.compile(spec)
        } catch {
            if problems.isEmpty { violations.append("compile failed but check found nothing: \(error)") }
            return
        }
        if !problems.isEmpty { violations.append("compile succeeded but check reported \(problems[0])") }
        let event = eventBytes.flatMap { try? JSONParser().parseValue($0) } ?? TemplateTarget.defaultEvent
        guard let value = try? compiled.evaluate(event, data: TemplateTarget.data) else { return }
        let written = JSONWriter.bytes(value)
        if (try? JSONParser().parseValue(written)) == nil { violations.append("a mapping result does not serialize to valid JSON") }
    }
}
