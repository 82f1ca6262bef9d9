import DSSchema
import DeliverySpec
import Foundation

/// Issue 15 figure: small-event validations per second on one core with a compiled JSON Schema
/// (target >= 1,000,000/s), next to Python `jsonschema` validating the same schema and
/// instances in the same run (when python3 with jsonschema is installed).
func runSchemaBenchmarks(quick: Bool) {
    let fixtures = root.appendingPathComponent("Tests/DSSchemaTests/Fixtures")
    let schemaURL = fixtures.appendingPathComponent("benchmark-event.schema.json")
    let eventsURL = fixtures.appendingPathComponent("benchmark-events.json")
    guard let schemaValue = try? JSONParser().parseValue([UInt8](Data(contentsOf: schemaURL))),
          case .array(let events)? = try? JSONParser().parseValue([UInt8](Data(contentsOf: eventsURL))),
          let schema = try? JSONSchema.compile(schemaValue)
    else {
        print("schema benchmark fixtures missing or invalid under Tests/DSSchemaTests/Fixtures")
        return
    }
    let valid = events.filter { schema.isValid($0) }.count
    print("\nJSON Schema 2020-12 (small event, \(events.count) instances, \(valid) valid), issue 15 target: >= 1,000,000 validations/s")
    var sink = 0
    let rate = measure("DSSchema isValid (compiled once)", operationsPerCall: events.count) {
        for e in events where schema.isValid(e) { sink &+= 1 }
    }
    _ = measure("DSSchema validate (all errors, with locations)", operationsPerCall: events.count) {
        for e in events { sink &+= schema.validate(e).count }
    }
    let seconds = quick ? 0.3 : 2.0
    let script = """
    import json, sys, time
    import jsonschema
    schema = json.load(open(sys.argv[1])); events = json.load(open(sys.argv[2]))
    v = jsonschema.Draft202012Validator(schema)
    valid = sum(v.is_valid(e) for e in events)
    n = 0; start = time.perf_counter()
    while time.perf_counter() - start < float(sys.argv[3]):
        for e in events: v.is_valid(e)
        n += len(events)
    print(n / (time.perf_counter() - start), valid, jsonschema.__version__ if hasattr(jsonschema, "__version__") else "?")
    """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-W", "ignore", "-c", script, schemaURL.path, eventsURL.path, String(seconds)]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { print("  python3 not available: no peer figure"); return }
    process.waitUntilExit()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ")
    guard process.terminationStatus == 0, out.count >= 2, let peer = Double(out[0]) else {
        print("  python3 jsonschema not installed: no peer figure")
        return
    }
    print(String(format: "  %-58@ %12.0f /s", "Python jsonschema \(out.count > 2 ? String(out[2]).trimmingCharacters(in: .whitespacesAndNewlines) : "") is_valid (peer; \(out[1]) valid)" as NSString, peer))
    print(String(format: "\nRatios: DSSchema / target = %.2fx; DSSchema / Python jsonschema = %.0fx", rate / 1_000_000, rate / peer))
    if sink == -1 { print(sink) }
}
