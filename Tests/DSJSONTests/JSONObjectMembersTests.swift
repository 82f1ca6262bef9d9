@testable import DSJSON
import XCTest

/// `JSONObject.unsafeMembers(at:)` against `withUnsafeMembers`: the same buffers (the very
/// addresses, so the members are read in place) for an object without a hash index, nil for
/// an object with one and for every other kind of value.
final class JSONObjectMembersTests: XCTestCase {
    func testMembersAreTheObjectsOwnBuffers() throws {
        var rng = SplitMix64(state: 0x0B1E_C7)
        var values: [JSONValue] = [.null, .bool(true), .int(3), .string("s"), .string(String(repeating: "long ", count: 9)), .array([.int(1)]),
                                   .object(JSONObject()), .object(JSONObject([("a", .int(1))]))]
        for _ in 0..<500 {
            var object = JSONObject()
            let count = Int(rng.next() % 24)
            for i in 0..<count { object["k\(rng.next() % 40)-\(i % 3)"] = .int(i) }
            values.append(.object(object))
        }
        values.append(try JSONParser().parseValue(#"{"type": "track", "context": {"page": {"url": "https://x"}}, "n": 1}"#))
        for var value in values {
            let got: JSONObjectMembers? = withUnsafePointer(to: &value) { JSONObject.unsafeMembers(at: $0) }
            guard case .object(let object) = value, !object.hasHashIndex else {
                XCTAssertNil(got, "\(value)")
                continue
            }
            let members = try XCTUnwrap(got, "\(value)")
            XCTAssertEqual(members.count, object.count)
            object.withUnsafeMembers { keys, values in
                if object.count > 0 {
                    XCTAssertEqual(members.keys, keys.baseAddress)
                    XCTAssertEqual(members.values, values.baseAddress)
                }
                for i in 0..<object.count {
                    XCTAssertEqual(members.keys?[i], keys[i])
                    XCTAssertEqual(members.values?[i], values[i])
                }
            }
        }
    }
}
