import DeliverySpec
import Foundation

// `dspec-bench --only peers --peer-dir DIR [--runs N] [--seconds S]`: the dspec side of the
// side-by-side pairs of `bench/run` (issue 16). bench/run prepares DIR; this writes what dspec
// produced (so the peers' outputs can be checked equal first) and prints one machine-readable
// line per measured run: `RESULT <name> <operations per second>`.
//
// DIR/template.txt   a Handlebars JSON template        DIR/template-event.json  its event
// DIR/template-data.json  {"settings": ..., "secrets": ...}
// DIR/webhook.json   the seed's Custom Webhook spec, unbatched   DIR/webhook-secrets.json
// DIR/webhook-events.json  an array of events
// Writes DIR/dspec-template.out, DIR/dspec-webhook.body (first event), DIR/dspec-webhook.sig.

private func peerArgument(_ name: String) -> String? {
    CommandLine.arguments.firstIndex(of: name).flatMap { i in i + 1 < CommandLine.arguments.count ? CommandLine.arguments[i + 1] : nil }
}

/// Runs `body` (doing `operations` operations) for about `seconds`, `runs` times; prints one RESULT line per run.
private func peerRuns(_ name: String, runs: Int, seconds: Double, operations: Int, _ body: () -> Void) {
    body()  // warm up
    for _ in 0..<runs {
        print("RESULT \(name) \(timedRate(seconds: seconds, operationsPerCall: operations, warmUp: false, body))")
    }
}

func runPeerBenchmarks() {
    guard let dirPath = peerArgument("--peer-dir") else {
        print("peers: --peer-dir DIR is required (bench/run prepares it)")
        exit(2)
    }
    let dir = URL(fileURLWithPath: dirPath)
    let runs = peerArgument("--runs").flatMap(Int.init) ?? 5
    let seconds = peerArgument("--seconds").flatMap(Double.init) ?? 1.0
    func load(_ name: String) -> JSONValue {
        guard let data = try? Data(contentsOf: dir.appendingPathComponent(name)), let value = try? JSONParser().parseValue([UInt8](data)) else {
            print("peers: cannot read \(name) in \(dirPath)")
            exit(2)
        }
        return value
    }
    func write(_ name: String, _ bytes: [UInt8]) {
        try? Data(bytes).write(to: dir.appendingPathComponent(name))
    }

    // Templates.
    guard let templateText = try? String(contentsOf: dir.appendingPathComponent("template.txt"), encoding: .utf8),
          let template = try? CompiledTemplate.compile(templateText, mode: .json) else {
        print("peers: template.txt missing or does not compile")
        exit(2)
    }
    let event = load("template-event.json")
    var data: [String: JSONValue] = [:]
    if case .object(let object) = load("template-data.json") { for (k, v) in object { data[k] = v } }
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1024)
    do { try template.render(event, data: data, into: &buffer) } catch {
        print("peers: template render failed: \(error)")
        exit(2)
    }
    write("dspec-template.out", buffer)
    let batch = 1000
    peerRuns("template", runs: runs, seconds: seconds, operations: batch) {
        for _ in 0..<batch {
            buffer.removeAll(keepingCapacity: true)
            try? template.render(event, data: data, into: &buffer)
        }
    }

    // Request build + sign: the seed's Custom Webhook, one event per request.
    let specURL = dir.appendingPathComponent("webhook.json")
    guard let specData = try? Data(contentsOf: specURL) else { print("peers: webhook.json missing"); exit(2) }
    let source = SourceFile(path: specURL.path, bytes: [UInt8](specData))
    let diagnostics = DiagnosticCollector(source: source)
    guard let plan = SpecCompiler().compile(source, diagnostics: diagnostics).plan else {
        print("peers: webhook.json does not compile: \(diagnostics.sorted.map(\.message))")
        exit(2)
    }
    guard case .object(let secrets) = load("webhook-secrets.json"), case .array(let events) = load("webhook-events.json"), !events.isEmpty,
          let renderer = try? RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: secrets)) else {
        print("peers: webhook secrets/events invalid or the plan does not render")
        exit(2)
    }
    let environment = FixedRenderEnvironment()
    guard let first = try? renderer.render(events[0], environment: environment) else { print("peers: webhook render failed"); exit(2) }
    write("dspec-webhook.body", first.body)
    write("dspec-webhook.sig", Array((first.header("X-Signature-256") ?? "").utf8))
    var sink = 0
    peerRuns("build_sign", runs: runs, seconds: seconds, operations: events.count) {
        sink &+= buildSignBatch(renderer, events, environment)
    }
    if sink == -1 { print(sink) }
}

/// One pass of the build_sign row: every event rendered into its request, which is then
/// dropped. A named function (not inlined) so that a profile can be limited to it:
/// `valgrind --tool=callgrind --toggle-collect='*buildSignBatch*' dspec-bench --only peers ...`.
@inline(never)
func buildSignBatch(_ renderer: RequestRenderer, _ events: [JSONValue], _ environment: FixedRenderEnvironment) -> Int {
    var sink = 0
    for e in events { sink &+= (try? renderer.render(e, environment: environment))?.body.count ?? 0 }
    return sink
}
