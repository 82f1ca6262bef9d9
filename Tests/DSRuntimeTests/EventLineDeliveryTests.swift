import DSCore
import DSJSON
import DSRender
@testable import DSRuntime
@testable import DSRuntimePOSIX
import Foundation
import XCTest

/// Delivery from event lines (`InputRecord.line`: payloads written from the line's bytes,
/// no event tree) against delivery from parsed events: the same request bodies, byte for
/// byte, whole batches included, and the same fate for every line (dead letters carry the
/// same event), on chosen and random events; and the NDJSON reader hands over the same
/// malformed records with and without lines.
final class EventLineDeliveryTests: XCTestCase {
    private struct Run {
        var bodies: [String]
        /// Every request as sent: method, URL, headers and body.
        var wire: [String]
        var fates: [String]
        var counts: DeliveryCounts
    }

    private func run(_ renderer: RequestRenderer, _ records: [InputRecord], answers: @escaping ScriptedTransport.Script = { _, _ in .success(HTTPResponse(status: 200)) }) async -> Run {
        let fates = FateLog()
        let ledger = DeliveryLedger(observer: { line, id, fate in fates.record(line, id, fate) })
        let transport = ScriptedTransport(answers)
        let deliverer = Deliverer(renderer: renderer, transport: transport, clock: VirtualClock(autoAdvance: true), ledger: ledger,
                                  options: DeliveryOptions(concurrency: 1), jitter: SeededJitterSource(seed: 7))
        let counts = await deliverer.run(.closed(records))
        return Run(bodies: transport.requests.map { String(decoding: $0.body, as: UTF8.self) },
                   wire: transport.requests.map { r in
                       ([r.method + " " + r.url] + r.headers.map { $0.name + ": " + $0.value } + [String(decoding: r.body, as: UTF8.self)]).joined(separator: "\n")
                   },
                   fates: fates.all.sorted { $0.line < $1.line }.map { "\($0.line) \($0.id) \($0.fate)" }, counts: counts)
    }

    /// Runs `lines` both ways and compares; returns the line run.
    @discardableResult
    private func compare(_ renderer: RequestRenderer, _ lines: [String], answers: @escaping ScriptedTransport.Script = { _, _ in .success(HTTPResponse(status: 200)) },
                         file: StaticString = #filePath, line: UInt = #line) async -> Run {
        var parsed: [InputRecord] = [], raw: [InputRecord] = []
        for (i, text) in lines.enumerated() {
            let bytes = Array(text.utf8)
            switch EventStream.decode(line: bytes[...]) {
            case .event(let v): parsed.append(.event(line: i + 1, event: v))
            case .malformed(let m, _): parsed.append(.malformed(line: i + 1, raw: text, message: m))
            case .blank: continue
            }
            if let l = EventLine.scan(bytes) { raw.append(.line(line: i + 1, event: l)) } else { raw.append(parsed.last!) }
        }
        let a = await run(renderer, parsed, answers: answers)
        let b = await run(renderer, raw, answers: answers)
        XCTAssertEqual(b.bodies, a.bodies, file: file, line: line)
        XCTAssertEqual(b.wire, a.wire, file: file, line: line)
        XCTAssertEqual(b.fates, a.fates, file: file, line: line)
        XCTAssertEqual(b.counts, a.counts, file: file, line: line)
        return b
    }

    private static let mapping = #"{"format": "json", "mapping": {"event": {"@path": "event"}, "id": {"@path": "event_id"}, "user": {"@path": "user_id"}, "props": {"@path": "properties"}, "plan": {"@path": "properties.plan", "@keep_null": true}}}"#

    private static func lines(_ n: Int, seed: UInt64) -> [String] {
        var rng = DeliveryRandom(seed: seed)
        let names = ["Signed Up", "Order \\\"Completed\\\"", "caf\\u00e9", "日本", "raw \u{2028}"]
        let values = ["1", "-0", "1.0", "1e400", "\"pro\"", "null", "{ \"x\" : [1, 2] }", "\"\\ud83d\\ude00\"", "[1,2]"]
        return (0..<n).map { i in
            switch rng.next() % 12 {
            case 0: return #"{"type":"page","event_id":"p\#(i)"}"#
            case 1: return #"{"type":"track","event_id":"bad\#(i)","#
            case 2: return #"{"type":"track","event_id":"dup\#(i)","event_id":"x"}"#
            case 3: return #"{"type":"track","event":"\#(names[Int(rng.next() % 5)])","properties":"text"}"#
            default:
                let v = values[Int(rng.next() % UInt64(values.count))]
                return #"{"type":"track","event":"\#(names[Int(rng.next() % 5)])","event_id":"evt-\#(i)","user_id":"u-\#(i % 7)","properties":{"plan":\#(v),"n":\#(i)}}"#
            }
        }
    }

    func testBatchedLinesGiveTheSameRequestsAndFates() async throws {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": 7, "max_wait_ms": 1000, "max_bytes": 900}"#, events: #"{"types": ["track"]}"#,
                                               payload: Self.mapping)
        let renderer = try RuntimeTestSupport.renderer(plan)
        XCTAssertTrue(Deliverer.buildsPayloadsFromLines(renderer: renderer, options: DeliveryOptions()))
        let huge = #"{"type":"track","event_id":"huge","properties":{"pad":""# + String(repeating: "p", count: 1200) + "\"}}"
        let result = await compare(renderer, Self.lines(300, seed: 1) + [huge] + Self.lines(100, seed: 2))
        XCTAssertGreaterThan(result.bodies.count, 30)
        XCTAssertTrue(result.fates.contains { $0.contains("huge") && $0.contains("deadLettered") })
    }

    func testRetriesAndDeadLettersCarryTheEvent() async throws {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": 5, "max_wait_ms": 1000}"#, response: RuntimeTestSupport.fastRetry(attempts: 2),
                                               payload: Self.mapping)
        let renderer = try RuntimeTestSupport.renderer(plan)
        // Every third request fails for good: its events are dead-lettered with the event.
        let result = await compare(renderer, Self.lines(60, seed: 3)) { _, call in .success(HTTPResponse(status: call % 3 == 0 ? 500 : 200)) }
        XCTAssertTrue(result.fates.contains { $0.contains("deadLettered") })
    }

    /// Whole requests (URL, headers, body), not only bodies, are compared by every test of
    /// this file: with a constant URL and headers a batch from lines never parses its first
    /// event. With request signing it does (signing may read it), and the signed requests
    /// are those of parsed events.
    func testSignedBatchesFromLinesMatchParsedEvents() async throws {
        let withSigning = try RuntimeTestSupport.plan(batching: #"{"max_events": 7, "max_wait_ms": 1000}"#, payload: Self.mapping, signing: #"{"preset": "github", "secret": "{{@secrets.api_token}}"}"#)
        let renderer = try RuntimeTestSupport.renderer(withSigning)
        XCTAssertTrue(Deliverer.buildsPayloadsFromLines(renderer: renderer, options: DeliveryOptions()))
        let result = await compare(renderer, Self.lines(120, seed: 5))
        XCTAssertTrue(result.wire.contains { $0.contains("X-Hub-Signature-256: sha256=") }, result.wire.first ?? "")
    }

    /// A vendor answering 413 to any body of more than 2 events: each batch is split in
    /// halves until it is accepted, and a retried, split or dead-lettered event ends the same
    /// way from lines as from parsed events (the halves are re-encoded batches).
    func testSplitsOn413AndRetriesGiveTheSameRequestsAndFates() async throws {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": 9, "max_wait_ms": 1000}"#, response: RuntimeTestSupport.fastRetry(attempts: 2),
                                               payload: Self.mapping)
        let renderer = try RuntimeTestSupport.renderer(plan)
        // Decided by the request's content (never by call order): more than 2 events, 413;
        // a batch whose first event id ends in 3, 500 (retried, then dead-lettered).
        let result = await compare(renderer, Self.lines(150, seed: 6)) { request, _ in
            let body = String(decoding: request.body, as: UTF8.self)
            if body.components(separatedBy: "\"event\":").count - 1 > 2 { return .success(HTTPResponse(status: 413)) }
            if let first = request.eventIDs.first, first.hasSuffix("3") { return .success(HTTPResponse(status: 500)) }
            return .success(HTTPResponse(status: 200))
        }
        XCTAssertTrue(result.fates.contains { $0.contains("deadLettered") })
        XCTAssertTrue(result.fates.contains { $0.contains("delivered") })
        let sizes = result.bodies.map { $0.components(separatedBy: "\"event\":").count - 1 }
        XCTAssertTrue(sizes.contains { $0 > 2 } && sizes.contains { $0 <= 2 }, "batches were split: \(sizes)")
    }

    /// The deliverer's event id read (`Deliverer.eventID(of:)`) against `EventLine.string(of:)`
    /// on chosen ids (escapes, unicode, non-strings, missing) and random lines.
    func testTheEventIDReadAgreesWithTheLinesStringRead() throws {
        var lines = [#"{"event_id":"evt-1"}"#, #"{"event_id":"e\n\u00e9\"x"}"#, #"{"event_id":"日本"}"#, #"{"event_id":""}"#, #"{"event_id":12}"#,
                     #"{"event_id":null}"#, #"{"type":"track"}"#, #"{"event_id" : "spaced" }"#, #"{"event_id":{"a":"b"}}"#, #"{"event_id":"\ud83d\ude00"}"#]
        lines += Self.lines(300, seed: 9)
        var checked = 0
        for text in lines {
            guard let line = EventLine.scan(Array(text.utf8)) else { continue }
            checked += 1
            XCTAssertEqual(Deliverer.eventID(of: line), line.string(of: "event_id") ?? "", text)
        }
        XCTAssertGreaterThan(checked, 200)
    }

    func testPlansThatNeedTheEventTreeParseLines() async throws {
        // A template payload, a json_object envelope, a consent selection: lines are parsed
        // and delivered the general way, with the same result.
        let plans = [
            try RuntimeTestSupport.plan(batching: #"{"max_events": 4, "max_wait_ms": 1000}"#, payload: #"{"format": "json", "template": "{\"e\": \"{{event}}\"}"}"#),
            try RuntimeTestSupport.plan(batching: #"{"max_events": 4, "max_wait_ms": 1000, "format": "json_object", "envelope": {"batch": {"@batch": true}}}"#, payload: Self.mapping),
            try RuntimeTestSupport.plan(payload: Self.mapping),
        ]
        for plan in plans {
            let renderer = try RuntimeTestSupport.renderer(plan)
            await compare(renderer, Self.lines(40, seed: 4))
        }
    }

    /// Lines split across the reader's 64 KiB reads, CRLF, blank lines, a line longer than a
    /// read and a last line without a newline: both reading modes give, line for line, what
    /// `EventStream.decode` gives for the line.
    func testReaderAgreesWithTheLineDecoderAcrossReads() async throws {
        let path = NSTemporaryDirectory() + "dspec-event-lines-split-\(getpid()).ndjson"
        defer { unlink(path) }
        var lines = Self.lines(3_000, seed: 6)
        lines[5] = ""
        lines[7] = "  \t"
        lines[11] += "\r"
        lines[1_500] = #"{"type":"track","event_id":"long","pad":""# + String(repeating: "x", count: 150_000) + "\"}"
        let text = lines.joined(separator: "\n")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        var expected: [String] = []
        for (i, l) in lines.enumerated() {
            switch EventStream.decode(line: Array(l.utf8)[...]) {
            case .blank: break
            case .event(let v): expected.append("\(i + 1) event \(JSONWriter.string(v))")
            case .malformed(let m, _): expected.append("\(i + 1) malformed \(m)")
            }
        }
        for rawLines in [false, true] {
            let fd = open(path, O_RDONLY)
            let queue = EventInputQueue()
            NDJSONReader.start(fd: fd, into: queue, closeWhenDone: true, rawLines: rawLines)
            var got: [String] = []
            while case .record(let r) = await queue.next(deadline: nil, clock: VirtualClock()) {
                switch r {
                case .event(let line, let event): got.append("\(line) event \(JSONWriter.string(event))")
                case .line(let line, let event): got.append("\(line) event \(JSONWriter.string(event.materialize(or: .null)))")
                case .malformed(let line, _, let message): got.append("\(line) malformed \(message)")
                case .acknowledged(let line): got.append("\(line) acknowledged")
                }
            }
            XCTAssertEqual(got.count, expected.count, "rawLines \(rawLines)")
            XCTAssertTrue(got == expected, "rawLines \(rawLines): first difference at \(Array(zip(got, expected)).firstIndex { $0.0 != $0.1 } ?? -1)")
        }
    }

    func testReaderHandsOverTheSameMalformedRecords() async throws {
        let path = NSTemporaryDirectory() + "dspec-event-lines-\(getpid()).ndjson"
        defer { unlink(path) }
        let text = Self.lines(200, seed: 5).joined(separator: "\n") + "\n\n  \n[1]\n\"x\"\n{\"a\":1}\r\n{\"é\":1}\n{\"a\":\"\\ud800\"}"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        func read(_ rawLines: Bool) async -> [String] {
            let fd = open(path, O_RDONLY)
            let queue = EventInputQueue()
            NDJSONReader.start(fd: fd, into: queue, closeWhenDone: true, rawLines: rawLines)
            var out: [String] = []
            while case .record(let r) = await queue.next(deadline: nil, clock: VirtualClock()) {
                switch r {
                case .event(let line, let event): out.append("\(line) event \(JSONWriter.string(event))")
                case .line(let line, let event): out.append("\(line) event \(JSONWriter.string(event.materialize(or: .null)))")
                case .malformed(let line, let raw, let message): out.append("\(line) malformed \(raw) \(message)")
                case .acknowledged(let line): out.append("\(line) acknowledged")
                }
            }
            return out
        }
        let general = await read(false)
        let lines = await read(true)
        XCTAssertEqual(lines, general)
        XCTAssertTrue(general.contains { $0.contains("malformed") })
    }
}

typealias DeliveryRandom = SplitMix64
