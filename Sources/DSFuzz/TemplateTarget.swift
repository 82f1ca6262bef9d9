import DSJSON
import DSTemplate

/// Input: a mode byte, the template source, then optionally NUL and the event as JSON.
enum TemplateTarget {
    static let defaultEvent: JSONValue = [
        "event": "Order Completed", "user_id": "u-1", "n": 3, "price": .double(9.5), "ok": true, "none": .null,
        "tags": ["a", "b\r\nX: y", "\u{0}"], "props": ["k": "v", "nested": ["x": [1, 2]]], "text": "<a href=\"x\">&'`=</a>",
    ]
    static let data: [String: JSONValue] = [
        "settings": ["region": "eu", "base": "http://x.test/a b"], "secrets": ["key": "s3cr3t"],
        // Lookup tables (`@lookup`, `lookup_table "t" x`) and the send time, as a renderer passes them.
        "lookups": ["t": ["map": ["a": "b", "1": ["x": []]], "unmatched": "default", "default": .null], "p": ["map": ["x": 1], "unmatched": "passthrough"]],
        "sent_at": "2026-01-01T00:00:00.000Z",
    ]

    static func run(_ input: [UInt8], _ violations: inout [String]) {
        guard let modeByte = input.first else { return }
        let modes = TemplateMode.allCases
        let mode = modes[Int(modeByte) % modes.count]
        let (templateBytes, eventBytes) = splitAtNUL(Array(input.dropFirst()))
        let text = String(decoding: templateBytes, as: UTF8.self)
        let event = eventBytes.flatMap { try? JSONParser().parseValue($0) } ?? defaultEvent
        let partials = ["p": "{{this}}", "rec": "{{#each this}}{{> rec}}{{/each}}"]
        guard let template = try? CompiledTemplate.compile(text, mode: mode, partials: partials) else { return }
        _ = template.references
        guard let output = try? template.render(event, data: data) else { return }
        _ = try? template.renderValue(event, data: data)
        if mode == .header, !text.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }),
           output.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) {
            violations.append("a header template without CR/LF/NUL rendered one: \(output.debugDescription.prefix(200))")
        }
    }
}
