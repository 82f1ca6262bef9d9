@testable import DSConformance
import DSJSON
import DSRender
import XCTest

/// `@sent_at` in conformance: a live send time matches the fixture's by shape, in headers
/// and JSON bodies, and retries of a body carrying it are still recognised as retries.
final class SendTimeMatchingTests: XCTestCase {
    func testISOTimestampsInHeaderShapes() {
        XCTAssertEqual(FixtureShape.of("2026-01-01T00:00:00.000Z"), "<timestamp>")
        XCTAssertEqual(FixtureShape.of("sent=2026-03-14T09:26:53.589Z;v=1"), FixtureShape.of("sent=2026-01-01T00:00:00.000Z;v=1"))
        XCTAssertNotEqual(FixtureShape.of("sent=2026-03-14T09:26:53.589Z"), FixtureShape.of("at=2026-01-01T00:00:00.000Z"))
        // Not a send time: kept as written.
        XCTAssertEqual(FixtureShape.of("2026-01-01"), "2026-01-01")
    }

    func testBodyValuesAtTheFixtureSendTimeMatchByShape() {
        func diff(_ expected: String, _ actual: String, sendTime: Bool = true) -> [String] {
            var out: [String] = []
            FixtureMatch.diff(try! JSONParser().parseValue(expected), try! JSONParser().parseValue(actual), at: "", into: &out, sendTime: sendTime)
            return out
        }
        XCTAssertEqual(diff(#"{"a": "2026-01-01T00:00:00.000Z", "b": 1767225600000, "c": 1767225600, "d": "1767225600000"}"#,
                            #"{"a": "2026-03-14T09:26:53.589Z", "b": 1773480413589, "c": 1773480413, "d": "1773480413589"}"#), [])
        // Other values still compare exactly; a value of another shape, or without @sent_at, differs.
        XCTAssertEqual(diff(#"{"t": 1773480000}"#, #"{"t": 1773480001}"#).count, 1)
        XCTAssertEqual(diff(#"{"a": "2026-01-01T00:00:00.000Z"}"#, #"{"a": "2026-03-14"}"#).count, 1)
        XCTAssertEqual(diff(#"{"b": 1767225600000}"#, #"{"b": 1773480413}"#).count, 1)
        XCTAssertEqual(diff(#"{"a": "2026-01-01T00:00:00.000Z"}"#, #"{"a": "2026-03-14T09:26:53.589Z"}"#, sendTime: false).count, 1)
    }

    func testTextBodiesMatchTheFixtureSendTimeByShape() {
        func matches(_ e: String, _ a: String) -> Bool { SendTime.textMatches(expected: Array(e.utf8), actual: Array(a.utf8)) }
        // NDJSON and form bodies: ISO (raw and form-encoded), Unix seconds and milliseconds.
        XCTAssertTrue(matches("{\"id\":\"e1\",\"stm\":1767225600000}\n", "{\"id\":\"e1\",\"stm\":1773480413589}\n"))
        XCTAssertTrue(matches("id=e1&sent=2026-01-01T00%3A00%3A00.000Z&t=1767225600", "id=e1&sent=2026-03-14T09%3A26%3A53.589Z&t=1773480413"))
        XCTAssertFalse(matches("id=e1&sent=2026-01-01T00%3A00%3A00.000Z", "id=e2&sent=2026-03-14T09%3A26%3A53.589Z"))
        XCTAssertFalse(matches("id=e1&n=5", "id=e1&n=6"), "digits outside a send time compare exactly")
        XCTAssertFalse(matches("t=1767225600", "t=17672256000"))
    }

    func testRetriedBodiesWithSendTimesHaveOneKey() {
        let first = TimingChecks.sendTimeMasked(Array(#"{"data":[{"id":"e1","stm":1773480413589}],"sentAt":"2026-03-14T09:26:53.589Z"}"#.utf8))
        let retry = TimingChecks.sendTimeMasked(Array(#"{"data":[{"id":"e1","stm":1773480415002}],"sentAt":"2026-03-14T09:26:55.002Z"}"#.utf8))
        let other = TimingChecks.sendTimeMasked(Array(#"{"data":[{"id":"e2","stm":1773480415002}],"sentAt":"2026-03-14T09:26:55.002Z"}"#.utf8))
        XCTAssertEqual(first, retry)
        XCTAssertNotEqual(first, other)
        func masked(_ s: String) -> String { TimingChecks.sendTimeMasked(Array(s.utf8)) }
        XCTAssertEqual(masked("{\"id\":\"e1\",\"stm\":1773480413589}\n{\"id\":\"e2\",\"stm\":1773480413589}\n"),
                       masked("{\"id\":\"e1\",\"stm\":1773480415002}\n{\"id\":\"e2\",\"stm\":1773480415002}\n"))
        XCTAssertEqual(masked("id=e1&sent=2026-03-14T09%3A26%3A53.589Z&t=1773480413"), masked("id=e1&sent=2026-03-14T09%3A26%3A55.002Z&t=1773480415"))
        XCTAssertNotEqual(masked("id=e1&sent=2026-03-14T09%3A26%3A53.589Z"), masked("id=e2&sent=2026-03-14T09%3A26%3A53.589Z"))
    }

    func testSuiteOrderedFollowsThePlanUnlessGiven() throws {
        let doc = try SuiteDocument(json: try JSONParser().parseValue(#"{"cases": [{"name": "a"}, {"name": "b", "ordered": false}, {"name": "c", "ordered": true}]}"#))
        XCTAssertEqual(doc.cases.map(\.ordered), [nil, false, true])
    }
}
