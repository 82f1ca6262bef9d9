import XCTest
@testable import DSJSON

/// `Array.append(contentsOf: ByteWriter)` makes a fresh array an exact-size copy (a fast
/// path): it must give the same bytes as the general `append(contentsOf:)` of the writer's
/// bytes, for empty and non-empty arrays, reserved or not, and writers on scratch or heap.
final class ByteWriterArrayAppendTests: XCTestCase {
    private func check(_ prefix: [UInt8], reserve: Int, _ written: [UInt8], scratch: Int, file: StaticString = #filePath, line: UInt = #line) {
        ByteWriter.withScratch(capacity: scratch) { writer in
            written.withUnsafeBufferPointer { writer.append($0) }
            var fast = prefix
            if reserve > 0 { fast.reserveCapacity(reserve) }
            fast.append(contentsOf: writer)
            var general = prefix
            if reserve > 0 { general.reserveCapacity(reserve) }
            general.append(contentsOf: writer.bytes)
            XCTAssertEqual(fast, general, file: file, line: line)
            XCTAssertEqual(fast, prefix + written, file: file, line: line)
            XCTAssertGreaterThanOrEqual(fast.capacity, fast.count, file: file, line: line)
        }
    }

    func testChosenCases() {
        let body = Array("{\"event_type\":\"Order Completed\"}".utf8)
        for prefix in [[], [UInt8(ascii: "x")], body] as [[UInt8]] {
            for reserve in [0, 1, 256] {
                for written in [[], [0], body, Array(repeating: 0xFF, count: 5000)] as [[UInt8]] {
                    for scratch in [16, 64, 1024] { check(prefix, reserve: reserve, written, scratch: scratch) }
                }
            }
        }
        // An emptied array that keeps its capacity takes the general path, and still matches.
        var kept = body
        kept.removeAll(keepingCapacity: true)
        check(kept, reserve: 0, body, scratch: 64)
    }

    func testRandomCases() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let prefix = (0..<Int.random(in: 0...3, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let count = [0, 1, 15, 16, 17, 100, 1023, 1024, 1025, 3000].randomElement(using: &rng)!
            let written = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            check(prefix, reserve: [0, 0, 8, 512].randomElement(using: &rng)!, written, scratch: [16, 128, 1024].randomElement(using: &rng)!)
        }
        // Many writes into one writer (it moves to the heap part way), then one append.
        for _ in 0..<200 {
            ByteWriter.withScratch(capacity: 32) { writer in
                var expected: [UInt8] = []
                for _ in 0..<Int.random(in: 0...40, using: &rng) {
                    let piece = (0..<Int.random(in: 0...20, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                    piece.withUnsafeBufferPointer { writer.append($0) }
                    expected += piece
                }
                var fresh: [UInt8] = []
                fresh.append(contentsOf: writer)
                XCTAssertEqual(fresh, expected)
            }
        }
    }
}
