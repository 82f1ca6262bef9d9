import DeliverySpec
import Foundation

/// Issue #3 figures: renders per second of a realistic 15-field JSON payload template and
/// of the equivalent field mapping, with Foundation's JSONSerialization of the same
/// payload as the in-run baseline.
func runTemplateBenchmarks(quick: Bool) {
    let fixtures = root.appendingPathComponent("Tests/DSTemplateTests/Fixtures")
    guard let spec = try? JSONParser().parseValue([UInt8](Data(contentsOf: fixtures.appendingPathComponent("benchmark-template.json")))),
          let event = try? JSONParser().parseValue([UInt8](Data(contentsOf: fixtures.appendingPathComponent("benchmark-event.json")))),
          let templateText = spec["template"]?.stringValue, let mappingValue = spec["mapping"],
          case .object(let dataObject)? = spec["data"]
    else {
        print("template benchmark fixtures missing under Tests/DSTemplateTests/Fixtures")
        return
    }
    var data: [String: JSONValue] = [:]
    for (k, v) in dataObject { data[k] = v }
    guard let template = try? CompiledTemplate.compile(templateText, mode: .json),
          let mapping = try? CompiledMapping.compile(mappingValue) else {
        print("benchmark template or mapping does not compile")
        return
    }
    print("\nTemplates (15-field JSON payload), issue #3 target: >= 1,000,000 renders/s for the template")
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1024)
    let batch = 1000
    let templateRate = measure("JSON template render into a reused buffer", operationsPerCall: batch) {
        for _ in 0..<batch {
            buffer.removeAll(keepingCapacity: true)
            try? template.render(event, data: data, into: &buffer)
        }
    }
    let mappingRate = measure("field mapping evaluate + compact JSON write", operationsPerCall: batch) {
        for _ in 0..<batch {
            buffer.removeAll(keepingCapacity: true)
            if let v = try? mapping.evaluate(event, data: data) { JSONWriter.write(v, style: .compact, into: &buffer) }
        }
    }
    // Baseline: what a hand-written integration would do with Foundation.
    let foundationEvent = (try? JSONSerialization.jsonObject(with: Data(JSONWriter.bytes(event)))) as? [String: Any] ?? [:]
    let baselineRate = measure("baseline: Foundation dictionary + JSONSerialization", operationsPerCall: 100) {
        for _ in 0..<100 {
            let context = foundationEvent["context"] as? [String: Any] ?? [:]
            let page = context["page"] as? [String: Any] ?? [:]
            let properties = foundationEvent["properties"] as? [String: Any] ?? [:]
            let payload: [String: Any] = [
                "event_type": foundationEvent["event"] ?? NSNull(), "type": foundationEvent["type"] ?? NSNull(),
                "message_id": foundationEvent["message_id"] ?? NSNull(), "user_id": foundationEvent["user_id"] ?? NSNull(),
                "anonymous_id": foundationEvent["anonymous_id"] ?? NSNull(), "timestamp": foundationEvent["timestamp"] ?? NSNull(),
                "page": ["url": page["url"] ?? NSNull(), "title": page["title"] ?? NSNull(), "referrer": page["referrer"] ?? NSNull()],
                "ip": context["ip"] ?? NSNull(), "user_agent": context["user_agent"] ?? NSNull(),
                "revenue": properties["total"] ?? NSNull(), "currency": properties["currency"] ?? NSNull(),
                "order": ["id": properties["order_id"] ?? NSNull(), "quantity": properties["quantity"] ?? NSNull()], "region": "eu",
            ]
            _ = try? JSONSerialization.data(withJSONObject: payload)
        }
    }
    print(String(format: "\nRatios: template / target = %.2fx; template / baseline = %.1fx; mapping / baseline = %.1fx; template / mapping = %.1fx",
                 templateRate / 1_000_000, templateRate / baselineRate, mappingRate / baselineRate, templateRate / mappingRate))
}
