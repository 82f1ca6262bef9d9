import Dispatch
import XCTest

@testable import DSMock

/// The journal records the exact bytes and order of what arrived.
final class JournalTests: XCTestCase {
    func testJournalKeepsExactHeadBytesHeaderOrderAndCase() throws {
        let server = try MockServer.start(scenario: .always(200))
        defer { server.stop() }
        let head = "PUT /v1/customers/42?x=%20y HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Hub-Signature-256: sha256=ab\r\ncontent-type: application/json\r\n"
            + "X-Dup: 1\r\nx-dup:   2  \r\nContent-Length: 4\r\n\r\n"
        let client = try RawClient(port: server.port)
        let before = MonotonicClock.now()
        XCTAssertEqual(try client.roundTrip(head + "body").status, 200)
        let entry = try XCTUnwrap(server.journal.first)
        XCTAssertEqual(entry.request.head, Array(head.utf8))
        XCTAssertEqual(entry.request.method, "PUT")
        XCTAssertEqual(entry.request.target, "/v1/customers/42?x=%20y")
        XCTAssertEqual(entry.request.path, "/v1/customers/42")
        XCTAssertEqual(entry.request.query, "x=%20y")
        XCTAssertEqual(entry.request.headers.map(\.name), ["Host", "X-Hub-Signature-256", "content-type", "X-Dup", "x-dup", "Content-Length"])
        XCTAssertEqual(entry.request.headerValues("X-DUP"), ["1", "2"])
        XCTAssertEqual(entry.request.header("Content-Type"), "application/json")
        XCTAssertEqual(entry.request.body, Array("body".utf8))
        XCTAssertGreaterThanOrEqual(entry.firstByteAt, before)
        XCTAssertGreaterThanOrEqual(entry.receivedAt, entry.firstByteAt)
        XCTAssertEqual(entry.status, 200)
    }

    func testConnectionIDsDistinguishConnectionsAndTimestampsIncrease() throws {
        let server = try MockServer.start(scenario: .always(204))
        defer { server.stop() }
        for _ in 0..<2 {
            let client = try RawClient(port: server.port)
            XCTAssertEqual(try client.roundTrip(get("/")).status, 204)
            XCTAssertEqual(try client.roundTrip(get("/")).status, 204)
        }
        let journal = server.journal
        XCTAssertEqual(journal.count, 4)
        XCTAssertEqual(journal[0].connectionID, journal[1].connectionID)
        XCTAssertNotEqual(journal[1].connectionID, journal[2].connectionID)
        XCTAssertTrue(zip(journal, journal.dropFirst()).allSatisfy { $0.receivedAt <= $1.receivedAt })
        server.clearJournal()
        XCTAssertTrue(server.journal.isEmpty)
    }

    func testWaitForRequestsTimesOutWhenNothingArrives() throws {
        let server = try MockServer.start()
        defer { server.stop() }
        let start = MonotonicClock.now()
        XCTAssertFalse(server.waitForRequests(1, timeoutMs: 100))
        XCTAssertGreaterThanOrEqual(ms(start, MonotonicClock.now()), 90)
    }

    func testJournalLimitKeepsTheNewestEntries() throws {
        let server = try MockServer(configuration: MockServerConfiguration(journalLimit: 4), scenario: .always(200))
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        for i in 0..<7 { _ = try client.roundTrip(get("/\(i)")) }
        let paths = server.journal.map(\.request.path)
        XCTAssertLessThanOrEqual(paths.count, 4)
        XCTAssertEqual(paths.last, "/6")
        XCTAssertEqual(server.journal.last?.sequence, 6)
    }

    func testConcurrentClientsAreAllJournaled() throws {
        let server = try MockServer.start(scenario: .always(200))
        defer { server.stop() }
        let failures = MockLockedCounter()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            guard let client = try? RawClient(port: server.port) else { failures.increment(); return }
            for i in 0..<50 where (try? client.roundTrip(post("/w\(worker)", body: "\(i)")))?.status != 200 { failures.increment() }
        }
        XCTAssertEqual(failures.value, 0)
        XCTAssertEqual(server.journal.count, 400)
        XCTAssertEqual(Set(server.journal.map(\.connectionID)).count, 8)
        XCTAssertEqual(server.journal.map(\.sequence), Array(0..<400))
        for w in 0..<8 {
            XCTAssertEqual(server.journal.filter { $0.request.path == "/w\(w)" }.map(\.request.bodyText), (0..<50).map(String.init), "per-connection order kept")
        }
    }
}

/// A thread-safe counter for tests.
final class MockLockedCounter: @unchecked Sendable {
    private let lock = MockLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
