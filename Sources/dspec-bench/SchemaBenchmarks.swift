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
    runWholeFileBenchmarks(schemaURL: schemaURL, events: events, quick: quick)
}

/// Whole files, as a user runs a validator from the shell: `dspec schema validate` (in process
/// through `SchemaValidationRunner`, and the `dspec` executable when it is built next to this
/// one) and `check-jsonschema` (PyPI) on the same schema and the same instance files, one JSON
/// document per file, in the same run. Both read, parse, compile the schema once and report.
func runWholeFileBenchmarks(schemaURL: URL, events: [JSONValue], quick: Bool) {
    let count = quick ? 200 : 1000
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-schema-bench-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var paths: [String] = []
    for i in 0..<count {
        let url = dir.appendingPathComponent(String(format: "event-%04d.json", i))
        try? Data(JSONWriter.bytes(events[i % events.count])).write(to: url)
        paths.append(url.path)
    }
    print("\nWhole files: \(count) instance files (one event each), one schema")
    // In process: compile once, then read + parse + validate + collect findings per file.
    var invalidFiles = 0
    var start = DispatchTime.now().uptimeNanoseconds
    if let runner = try? SchemaValidationRunner(schemaPath: schemaURL.path) {
        invalidFiles = paths.filter { !runner.validate($0).diagnostics.isEmpty }.count
    }
    var seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print(String(format: "  %-58@ %12.0f files/s (%.3f s, %d invalid)", "DSSchema SchemaValidationRunner (in process)" as NSString, Double(count) / seconds, seconds, invalidFiles))
    func run(_ exe: String, _ args: [String]) -> (seconds: Double, status: Int32, output: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [exe] + args
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        let t0 = DispatchTime.now().uptimeNanoseconds
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
    let cli = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dspec").path
    if FileManager.default.isExecutableFile(atPath: cli), let r = run(cli, ["schema", "validate", schemaURL.path] + paths + ["--format", "json"]) {
        let invalid = Set(r.output.split(separator: "\n").filter { $0.contains("\"file\"") }.map { String($0) }).count
        print(String(format: "  %-58@ %12.0f files/s (%.3f s, process included, %d invalid)", "dspec schema validate (CLI)" as NSString, Double(count) / r.seconds, r.seconds, invalid))
    } else {
        print("  dspec executable not built next to dspec-bench (swift build -c release): no CLI figure")
    }
    start = DispatchTime.now().uptimeNanoseconds
    guard let peer = run("check-jsonschema", ["--schemafile", schemaURL.path, "--output-format", "json"] + paths), peer.status == 0 || peer.status == 1 else {
        print("  check-jsonschema not installed (pip install check-jsonschema): no peer figure")
        return
    }
    seconds = peer.seconds
    // check-jsonschema's JSON output lists each error with its file; count the distinct files.
    var peerInvalid = 0
    if let doc = try? JSONParser().parseValue(Array(peer.output.utf8)) {
        let files = (doc["errors"]?.arrayValue ?? []).compactMap { $0["filename"]?.stringValue }
        peerInvalid = Set(files).count
    }
    let version = run("check-jsonschema", ["--version"])?.output.trimmingCharacters(in: .whitespacesAndNewlines) ?? "check-jsonschema"
    print(String(format: "  %-58@ %12.0f files/s (%.3f s, process included, %d invalid)", "\(version) (peer)" as NSString, Double(count) / seconds, seconds, peerInvalid))
    print("  (Python's binary floating point rejects multipleOf 0.01 on some valid totals: the invalid counts differ by those files.)")
}
