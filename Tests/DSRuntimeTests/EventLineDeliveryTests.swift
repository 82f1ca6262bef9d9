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
                       // A request id made for an event without an id is unique in the process
                       // (DeliveryRenderEnvironment), so two runs never share it: it is masked.
                       ([r.method + " " + r.url] + r.headers.map { $0.name + ": " + Self.maskingGeneratedID($0.value) } + [String(decoding: r.body, as: UTF8.self)]).joined(separator: "\n")
                   },
                   fates: fates.all.sorted { $0.line < $1.line }.map { "\($0.line) \($0.id) \($0.fate)" }, counts: counts)
    }

    /// `value` with a generated request id (`msg_` and hex digits, see `SystemRenderEnvironment`) replaced by `msg_*`.
    private static func maskingGeneratedID(_ value: String) -> String {
        guard value.hasPrefix("msg_"), value.dropFirst(4).allSatisfy(\.isHexDigit) else { return value }
        return "msg_*"
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
        // On a difference, the first differing pair (the whole lists are too long to read).
        for (name, x, y) in [("bodies", b.bodies, a.bodies), ("wire", b.wire, a.wire), ("fates", b.fates, a.fates)] where x != y {
            let i = (0..<min(x.count, y.count)).first { x[$0] != y[$0] } ?? min(x.count, y.count)
            XCTFail("\(name) differ at \(i) (lines: \(x.count), parsed: \(y.count)): lines \(i < x.count ? x[i] : "-") | parsed \(i < y.count ? y[i] : "-")", file: file, line: line)
        }
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

    // MARK: one event per request, from lines (RequestRenderer.render(single:))

    private static let limitedMapping = #"{"format": "json", "max_bytes": 400, "mapping": {"event": {"@path": "event"}, "id": {"@path": "event_id"}, "user": {"@path": "user_id"}, "props": {"@path": "properties"}}}"#

    /// An unbatched plan with a plain mapping takes lines: every request (URL, headers with
    /// the idempotency key, body) and every line's fate is the parsed events', a payload
    /// over `payload.max_bytes` included (dead-lettered with the general path's message).
    func testSingleEventLinesGiveTheSameRequestsAndFates() async throws {
        let plan = try RuntimeTestSupport.plan(response: #"{"idempotency_key": {"header": "Idempotency-Key"}}"#, events: #"{"types": ["track"]}"#,
                                               payload: Self.limitedMapping)
        let renderer = try RuntimeTestSupport.renderer(plan)
        XCTAssertTrue(renderer.rendersSingleRequestsFromLines)
        XCTAssertTrue(Deliverer.buildsPayloadsFromLines(renderer: renderer, options: DeliveryOptions()))
        let huge = #"{"type":"track","event_id":"huge","properties":{"pad":""# + String(repeating: "p", count: 600) + "\"}}"
        let result = await compare(renderer, Self.lines(300, seed: 11) + [huge] + Self.lines(100, seed: 12))
        XCTAssertGreaterThan(result.bodies.count, 150)
        XCTAssertTrue(result.wire.allSatisfy { $0.contains("Idempotency-Key: ") })
        XCTAssertTrue(result.fates.contains { $0.contains("huge") && $0.contains("deadLettered") }, result.fates.joined(separator: "\n"))
        XCTAssertTrue(result.fates.contains { $0.contains("filtered") })
    }

    /// Retries (decided by the request's content) and dead letters after the last attempt:
    /// the same requests, attempts and fates from lines as from parsed events.
    func testSingleEventLinesRetryAndDeadLetterLikeParsedEvents() async throws {
        let plan = try RuntimeTestSupport.plan(response: RuntimeTestSupport.fastRetry(attempts: 2), payload: Self.mapping)
        let renderer = try RuntimeTestSupport.renderer(plan)
        XCTAssertTrue(Deliverer.buildsPayloadsFromLines(renderer: renderer, options: DeliveryOptions()))
        let result = await compare(renderer, Self.lines(150, seed: 13)) { request, _ in
            if let id = request.eventIDs.first, id.hasSuffix("3") { return .success(HTTPResponse(status: 500)) }
            if let id = request.eventIDs.first, id.hasSuffix("7") { return .failure(TransportError(.connection, "connection reset by peer")) }
            return .success(HTTPResponse(status: 200))
        }
        XCTAssertTrue(result.fates.contains { $0.contains("deadLettered") })
        XCTAssertTrue(result.fates.contains { $0.contains("delivered") })
        XCTAssertGreaterThan(result.counts.retries, 0)
    }

    /// Signing reads the event: a signed single request from a line is the parsed event's.
    func testSignedSingleEventLinesMatchParsedEvents() async throws {
        let plan = try RuntimeTestSupport.plan(payload: Self.mapping, signing: #"{"preset": "github", "secret": "{{@secrets.api_token}}"}"#)
        let renderer = try RuntimeTestSupport.renderer(plan)
        XCTAssertTrue(Deliverer.buildsPayloadsFromLines(renderer: renderer, options: DeliveryOptions()))
        let result = await compare(renderer, Self.lines(120, seed: 14))
        XCTAssertTrue(result.wire.contains { $0.contains("X-Hub-Signature-256: sha256=") }, result.wire.first ?? "")
    }

    /// Plans whose single request is not the line's payload as written (a body with the send
    /// time, a template body) do not take lines, and deliver the same; a URL with a query does.
    func testSingleRequestPlansWhoseBodyIsNotTheLinePayloadParseLines() async throws {
        let plans = [
            try RuntimeTestSupport.plan(url: "https://api.example.com/v1/events?kind=x", payload: Self.mapping),
            try RuntimeTestSupport.plan(payload: #"{"format": "json", "mapping": {"id": {"@path": "event_id"}, "sent_at": {"@path": "@sent_at"}}}"#),
            try RuntimeTestSupport.plan(payload: #"{"format": "json", "template": "{\"e\": \"{{event}}\"}"}"#),
        ]
        XCTAssertTrue(try RuntimeTestSupport.renderer(plans[0]).rendersSingleRequestsFromLines)
        for plan in plans.dropFirst() {
            let renderer = try RuntimeTestSupport.renderer(plan)
            XCTAssertFalse(renderer.rendersSingleRequestsFromLines)
            XCTAssertFalse(Deliverer.buildsPayloadsFromLines(renderer: renderer, options: DeliveryOptions()))
        }
        for plan in plans { await compare(try RuntimeTestSupport.renderer(plan), Self.lines(40, seed: 15)) }
    }

    /// `render(single:)` on a plan whose requests are not a line's payload as written (a
    /// batch of one, a body with the send time, a template body) renders the payload's event
    /// as `render(_:)` does, whatever bytes the payload holds.
    func testRenderSingleOnOtherPlansRendersTheEvent() throws {
        let plans = [
            try RuntimeTestSupport.plan(batching: #"{"max_events": 10, "max_wait_ms": 50}"#, payload: Self.mapping),
            try RuntimeTestSupport.plan(payload: #"{"format": "json", "mapping": {"id": {"@path": "event_id"}, "sent_at": {"@path": "@sent_at"}}}"#),
            try RuntimeTestSupport.plan(payload: #"{"format": "json", "template": "{\"e\": \"{{event}}\"}"}"#),
        ]
        let environment = FixedRenderEnvironment()
        for plan in plans {
            let renderer = try RuntimeTestSupport.renderer(plan)
            XCTAssertFalse(renderer.rendersSingleRequestsFromLines)
            for text in Self.lines(30, seed: 17) {
                guard let line = EventLine.scan(Array(text.utf8)) else { continue }
                let event = line.materialize(or: .null)
                let payload = EncodedPayload(eventID: Deliverer.eventID(of: line), event: event, value: nil, bytes: [])
                XCTAssertEqual(try renderer.render(single: payload, environment: environment, accessToken: "t"),
                               try renderer.render(event, environment: environment, accessToken: "t"), text)
            }
        }
    }

    /// The renderer's line path against its general path, request for request: every field
    /// of `RenderedRequest` (request id, signing string and timestamp included) on chosen
    /// and random lines, for plans with and without signing and an idempotency key.
    func testRenderSingleFromLinesEqualsRenderOfTheParsedEvent() throws {
        let plans = [
            try RuntimeTestSupport.plan(payload: Self.mapping),
            try RuntimeTestSupport.plan(response: #"{"idempotency_key": {"header": "Idempotency-Key"}}"#, payload: Self.limitedMapping),
            try RuntimeTestSupport.plan(headers: #"{"X-Source": "dspec"}"#, payload: Self.mapping, signing: #"{"preset": "github", "secret": "{{@secrets.api_token}}"}"#),
        ]
        var texts = [#"{"event_id":"e\n\u00e9\"x","event":"A"}"#, #"{"event_id":12}"#, #"{}"#, #"{"event_id":"","properties":null}"#,
                     #"{ "event" : "spaced" , "properties" : { "a" : [ 1 , 2.50 , -0 ] } }"#]
        texts += Self.lines(3_000, seed: 16)
        let environment = FixedRenderEnvironment()
        var compared = 0
        for plan in plans {
            let renderer = try RuntimeTestSupport.renderer(plan)
            XCTAssertTrue(renderer.rendersSingleRequestsFromLines)
            for text in texts {
                guard let line = EventLine.scan(Array(text.utf8)) else { continue }
                let event = line.materialize(or: .null)
                let general = Result { () throws(RenderError) in try renderer.render(event, environment: environment, accessToken: "t") }
                // nil: the line path declines the event (the deliverer then takes the general path).
                let fromLine = Result { () throws(RenderError) -> RenderedRequest? in
                    guard let p = try renderer.payload(for: line, eventID: Deliverer.eventID(of: line), tag: 1) else { return nil }
                    return try renderer.render(single: p, environment: environment, accessToken: "t")
                }
                switch (general, fromLine) {
                case (.success(let a), .success(let b?)):
                    XCTAssertEqual(b, a, text)
                    compared += 1
                case (.failure(let a), .failure(let b)):
                    // A payload refused by the line path goes the general way, which says why.
                    XCTAssertEqual(a.message, b.message, text)
                    compared += 1
                case (_, .success(nil)):
                    break
                default:
                    XCTFail("one path failed and the other did not: \(text) \(general) \(fromLine)")
                }
            }
        }
        XCTAssertGreaterThan(compared, 5_000)
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
