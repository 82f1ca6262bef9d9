import DSCrypto
import DSJSON
import DSRender
@testable import DSRuntime
import XCTest

/// ``DeliveryRenderEnvironment`` hashes nothing at creation: its id is derived when read, and
/// is the same as the eager rule (``RequestIdentity``, or a process-unique id pinned at
/// creation for events without ids).
final class DeliveryRequestIDTests: XCTestCase {
    private func eagerID(_ ids: [String]) -> String? {
        if ids.isEmpty || ids.contains("") { return nil }
        if ids.count == 1 { return ids[0] }
        return "batch_" + Hex.encode(Digest.hash(.sha256, ids.joined(separator: "\n").utf8).prefix(16))
    }

    func testIDWhenReadIsTheEagerRuleOnRandomIDLists() {
        let clock = VirtualClock()
        var state: UInt64 = 42
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        var derived = 0
        for _ in 0..<500 {
            let ids = (0..<Int(next() % 120)).map { _ in next() % 40 == 0 ? "" : "evt-\(next() % 100_000)" }
            let env = DeliveryRenderEnvironment(clock: clock, eventIDs: ids)
            let first = env.id
            XCTAssertEqual(env.id, first, "the id is the same on every read")
            XCTAssertEqual(env.requestID(forEventIDs: ids), first)
            if let expected = eagerID(ids) {
                XCTAssertEqual(first, expected)
                XCTAssertEqual(DeliveryRenderEnvironment.requestID(for: ids), expected)
                XCTAssertTrue(env.derivesRequestIDFromEventIDs(ids))
                derived += 1
            } else {
                XCTAssertTrue(first.hasPrefix("msg_"), first)
                XCTAssertFalse(env.derivesRequestIDFromEventIDs(ids), "a pinned process-unique id is never re-derived")
            }
        }
        XCTAssertGreaterThan(derived, 100)
        XCTAssertLessThan(derived, 500)
    }

    func testDerivesOnlyForItsOwnEventIDs() {
        let env = DeliveryRenderEnvironment(clock: VirtualClock(), eventIDs: ["a", "b"])
        XCTAssertTrue(env.derivesRequestIDFromEventIDs(["a", "b"]))
        XCTAssertFalse(env.derivesRequestIDFromEventIDs(["a", "c"]))
        XCTAssertEqual(env.requestID(forEventIDs: ["a", "c"]), eagerID(["a", "b"]), "the pinned id, whatever is asked")
    }

    /// The renderer forms a derived request id from the ids it is given, so "derives" must
    /// mean the unit's own bytes: a canonically equivalent spelling ("\u{E9}" for the unit's
    /// "e\u{301}") is not the unit's id (with `==` it was, and the Idempotency-Key and
    /// signature carried the other spelling's bytes).
    func testDerivesOnlyForTheSameBytes() {
        let single = DeliveryRenderEnvironment(clock: VirtualClock(), eventIDs: ["e\u{301}"])
        XCTAssertTrue(single.derivesRequestIDFromEventID("e\u{301}"))
        XCTAssertFalse(single.derivesRequestIDFromEventID("\u{E9}"))
        XCTAssertTrue(single.derivesRequestIDFromEventIDs(["e\u{301}"]))
        XCTAssertFalse(single.derivesRequestIDFromEventIDs(["\u{E9}"]))
        let batch = DeliveryRenderEnvironment(clock: VirtualClock(), eventIDs: ["K", "e\u{301}"])
        XCTAssertTrue(batch.derivesRequestIDFromEventIDs(["K", "e\u{301}"]))
        XCTAssertFalse(batch.derivesRequestIDFromEventIDs(["\u{212A}", "e\u{301}"]))
        XCTAssertFalse(batch.derivesRequestIDFromEventIDs(["K", "\u{E9}"]))
        XCTAssertFalse(batch.derivesRequestIDFromEventIDs(["K"]))
    }
}
