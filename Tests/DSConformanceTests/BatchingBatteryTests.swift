import DeliverySpec
import Foundation
import XCTest

/// The battery's batching case is sized from the events it really sends.
final class BatchingBatteryTests: XCTestCase {
    func testMixedSizeSampleEventsPassBatchingLimits() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-battery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try TestSupport.edited("amplitude-batch.json", replacing: "\"max_bytes\": 20000000", with: "\"max_bytes\": 6000")
        try Data(spec).write(to: dir.appendingPathComponent("amp.json"))
        for suffix in [".settings.json", ".secrets.json"] {
            try FileManager.default.copyItem(atPath: TestSupport.example("amplitude-batch" + suffix), toPath: dir.appendingPathComponent("amp" + suffix).path)
        }
        // The first sample is large, the others small: sizing from the first alone expects
        // more requests than a correct batcher needs for the mix it actually sends.
        let lines = try String(contentsOfFile: TestSupport.example("amplitude-batch.events.ndjson"), encoding: .utf8).split(separator: "\n")
        let small = String(lines[1])
        guard case .object(var big) = try JSONParser().parseValue(small), case .object(var props)? = big["properties"] else { return XCTFail("sample shape") }
        props["blob"] = .string(String(repeating: "x", count: 2500))
        big["properties"] = .object(props)
        let events = [JSONWriter.string(.object(big))] + Array(repeating: small, count: 6)
        try Data((events.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("amp.events.ndjson"))

        let results = try await TestSupport.run(dir.appendingPathComponent("amp.json").path, filter: "batching-limits")
        XCTAssertEqual(results.count, 1)
        for r in results { XCTAssertTrue(r.passed, "\(r.id): \(r.failures.map(\.text))") }
    }
}
