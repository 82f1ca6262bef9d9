import DSJSON
@testable import DSRuntime
@testable import DSRuntimePOSIX
import XCTest

/// Issue 11 defect 9: the spec's status rules come before the runtime's 413 split, and a
/// dead letter's attempt count is the number of requests its event was really in.
final class SplitRuleTests: XCTestCase {
    func testASpecRuleFor413WinsOverTheSplit() async throws {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": 4, "max_wait_ms": 1000}"#,
                                               response: #"{"rules": [{"status": 413, "outcome": "drop"}]}"#)
        let transport = ScriptedTransport { _, _ in RuntimeTestSupport.response(413) }
        let (counts, fates) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(4), transport: transport)
        XCTAssertEqual(transport.requests.map(\.eventIDs), [["e1", "e2", "e3", "e4"]], "no split: the spec says 413 -> drop")
        XCTAssertEqual(counts.deadLettered, 4)
        XCTAssertEqual(fates.deadLetters.map(\.reason), Array(repeating: "status 413 is classified drop", count: 4))
        XCTAssertEqual(fates.deadLetters.map(\.attempts), [1, 1, 1, 1])
    }

    func testDeadLettersAfterASplitCountEveryRequestTheEventWasIn() async throws {
        let plan = try RuntimeTestSupport.plan(batching: #"{"max_events": 4, "max_wait_ms": 1000}"#)
        // More than one event: 413. e4 alone: 400 (dropped by the default rules). Scripted by event id.
        let transport = ScriptedTransport { request, _ in
            RuntimeTestSupport.response(request.eventIDs.count > 1 ? 413 : (request.eventIDs == ["e4"] ? 400 : 200))
        }
        let (counts, fates) = await RuntimeTestSupport.deliver(try RuntimeTestSupport.renderer(plan), RuntimeTestSupport.events(4), transport: transport)
        XCTAssertEqual(counts.delivered, 3)
        let letter = try XCTUnwrap(fates.deadLetters.first)
        XCTAssertEqual(letter.eventID, "e4")
        XCTAssertEqual(letter.status, 400)
        // [e1 e2 e3 e4] -> 413, [e3 e4] -> 413, [e4] -> 400.
        XCTAssertEqual(transport.requests.filter { $0.eventIDs.contains("e4") }.count, 3)
        XCTAssertEqual(letter.attempts, 3)
    }
}
