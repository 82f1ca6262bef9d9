import DSCore
import DSJSON
import DSTemplate
import Foundation
import XCTest

/// One event rendered by several threads at once, as the conformance battery does with the
/// clones of its sample events (they share nested objects and strings). The renderer reads
/// holes in place without copying them; it must do so without an exclusive (`inout`) access
/// to the event's memory, which the thread sanitizer reports as a Swift access race.
/// `scripts/tsan` runs this class: 0 reports, with no suppression.
final class SharedEventRenderTests: XCTestCase {
    func testConcurrentRendersOfOneSharedEventAgree() throws {
        let event = json("""
            {"event": "Order Completed", "user_id": "u-1", "context": {"page": {"url": "https://shop.example/c", "title": "Checkout"},
             "ip": "203.0.113.9"}, "properties": {"total": 42.5, "currency": "EUR", "items": [{"sku": "a"}, {"sku": "b"}]}}
            """)
        let template = try CompiledTemplate.compile("""
            {"e": {{event}}, "u": {{user_id}}, "url": {{context.page.url}}, "t": {{context.page.title}}, "ip": {{context.ip}},
             "total": {{properties.total}}, "cur": {{properties.currency}}, "items": {{properties.items}}, "n": {{properties.items.length}}}
            """, mode: .json)
        let expected = try template.render(event, data: [:])
        XCTAssertTrue(expected.contains(#""url": "https://shop.example/c""#), expected)
        let mismatches = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<500 {
                let out = (try? template.render(event, data: [:])) ?? ""
                if out != expected { mismatches.withLock { $0 += 1 } }
            }
        }
        XCTAssertEqual(mismatches.withLock { $0 }, 0)
    }
}
