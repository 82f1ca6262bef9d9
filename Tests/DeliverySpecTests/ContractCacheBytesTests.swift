import DSCore
@testable import DeliverySpec
import XCTest

/// `CompiledContractCache.sameBytes` compares with one `memcmp`; it must agree with `==` on
/// chosen and random byte arrays (empty, equal, one byte changed, different lengths).
final class ContractCacheBytesTests: XCTestCase {
    func testChosenArrays() {
        let cases: [[UInt8]] = [[], [0], [1], [0, 0], [0, 1], Array("{\"a\": 1}".utf8), Array(repeating: 7, count: 4096)]
        for a in cases { for b in cases { XCTAssertEqual(CompiledContractCache.sameBytes(a, b), a == b, "\(a.count) \(b.count)") } }
    }

    func testRandomArrays() {
        var rng = SplitMix64(seed: 0x6279_7465)
        var equal = 0
        for _ in 0..<5_000 {
            let a = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...3, using: &rng) }
            var b = a
            switch Int.random(in: 0...3, using: &rng) {
            case 0: break
            case 1: if !b.isEmpty { b[Int.random(in: 0..<b.count, using: &rng)] ^= 1 }
            case 2: b.append(UInt8.random(in: 0...3, using: &rng))
            default: b = (0..<a.count).map { _ in UInt8.random(in: 0...1, using: &rng) }
            }
            XCTAssertEqual(CompiledContractCache.sameBytes(a, b), a == b)
            if a == b { equal += 1 }
        }
        XCTAssertGreaterThan(equal, 1_000)
        XCTAssertLessThan(equal, 4_500)
    }
}
