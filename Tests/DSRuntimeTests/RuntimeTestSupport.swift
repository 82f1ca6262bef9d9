import DSCompiler
import DSCore
import DSJSON
import DSPlan
import DSRender
@testable import DSRuntime
@testable import DSRuntimePOSIX
import XCTest

/// Plans, events and runs for runtime tests.
enum RuntimeTestSupport {
    /// Compiles a spec built from the given blocks (JSON text); fails the test on errors.
    static func plan(url: String = "https://api.example.com/v1/events", auth: String = #"{"type": "bearer", "token": "{{@secrets.api_token}}"}"#,
                     secrets: String = #"{"api_token": {}}"#, batching: String? = nil, response: String? = nil, rateLimit: String? = nil,
                     events: String? = nil, headers: String? = nil, payload: String = #"{"format": "json", "mapping": {"id": {"@path": "event_id"}, "name": {"@path": "event"}}}"#,
                     timeoutMs: Int = 2000, ordering: String? = nil, signing: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> DeliveryPlan {
        var blocks = [#""dspec": 1"#, #""name": "runtime-test""#, #""secrets": \#(secrets)"#, #""endpoint": {"url": "\#(url)", "timeout_ms": \#(timeoutMs)}"#,
                      #""auth": \#(auth)"#, #""payload": \#(payload)"#]
        if let batching { blocks.append(#""batching": \#(batching)"#) }
        if let response { blocks.append(#""response": \#(response)"#) }
        if let rateLimit { blocks.append(#""rate_limit": \#(rateLimit)"#) }
        if let events { blocks.append(#""events": \#(events)"#) }
        if let headers { blocks.append(#""headers": \#(headers)"#) }
        if let ordering { blocks.append(#""ordering": "\#(ordering)""#) }
        if let signing { blocks.append(#""signing": \#(signing)"#) }
        let text = "{" + blocks.joined(separator: ",\n") + "}"
        let source = SourceFile(path: "inline.json", text: text)
        let diagnostics = DiagnosticCollector(source: source)
        let result = SpecCompiler().compile(source, diagnostics: diagnostics)
        guard let plan = result.plan else {
            let messages = diagnostics.sorted.filter { $0.severity == .error }.map { "\($0.code): \($0.message)" }
            XCTFail("spec does not compile: \(messages.joined(separator: "; "))", file: file, line: line)
            throw XCTSkip("uncompilable spec")
        }
        return plan
    }

    /// A fast retry policy block: `attempts` tries, 100 ms doubling, no jitter.
    static func fastRetry(attempts: Int = 5, initial: Int = 100, maxElapsed: Int = 300_000, jitter: String = "none") -> String {
        #"{"retry": {"max_attempts": \#(attempts), "initial_backoff_ms": \#(initial), "max_backoff_ms": 10000, "multiplier": 2, "jitter": "\#(jitter)", "max_elapsed_ms": \#(maxElapsed)}}"#
    }

    static func renderer(_ plan: DeliveryPlan, secrets: [(String, JSONValue)] = [("api_token", "tok-secret-1")]) throws -> RequestRenderer {
        try RequestRenderer(plan: plan, configuration: RenderConfiguration(secrets: JSONObject(secrets)))
    }

    /// `n` track events `e1...en`.
    static func events(_ n: Int, type: String = "track") -> [JSONValue] {
        (1...n).map { i in .object(JSONObject([("type", .string(type)), ("event", "Order Completed"), ("event_id", .string("e\(i)"))])) }
    }

    static func response(_ status: Int, _ body: String = "", headers: [HTTPHeaderField] = []) -> ScriptedTransport.Answer {
        .success(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    /// Runs a deliverer over `events`, collecting each event's fates.
    static func deliver(_ renderer: RequestRenderer, _ events: [JSONValue], transport: any HTTPTransport, clock: any RuntimeClock = VirtualClock(autoAdvance: true),
                        options: DeliveryOptions = DeliveryOptions(concurrency: 1), tokens: (any AccessTokenProvider)? = nil,
                        checkpoint: CheckpointLog? = nil) async -> (DeliveryCounts, FateLog) {
        let fates = FateLog()
        let ledger = DeliveryLedger(deadLetters: nil, checkpoint: checkpoint, observer: { line, id, fate in fates.record(line, id, fate) })
        let deliverer = Deliverer(renderer: renderer, transport: transport, clock: clock, ledger: ledger, options: options, tokens: tokens,
                                  jitter: SeededJitterSource(seed: 7))
        let counts = await deliverer.run(.closed(events: events))
        return (counts, fates)
    }
}

/// Every fate recorded, by input line.
final class FateLog: @unchecked Sendable {
    private let entries = Locked<[(line: Int, id: String, fate: EventFate)]>([])
    func record(_ line: Int, _ id: String, _ fate: EventFate) { entries.withLock { $0.append((line, id, fate)) } }
    var all: [(line: Int, id: String, fate: EventFate)] { entries.withLock { $0 } }
    var deadLetters: [DeadLetter] { all.compactMap { if case .deadLettered(let d) = $0.fate { return d }; return nil } }
    var deliveredIDs: [String] { all.filter { $0.fate == .delivered }.map(\.id) }
    /// Lines with more than one fate (must be empty).
    var duplicates: [Int] {
        var seen = Set<Int>(), dup: [Int] = []
        for e in all where !seen.insert(e.line).inserted { dup.append(e.line) }
        return dup
    }
}
