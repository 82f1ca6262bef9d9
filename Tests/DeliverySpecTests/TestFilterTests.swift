import Foundation
import XCTest

/// A `--filter` that matches nothing must not pass silently.
final class TestFilterTests: XCTestCase {
    func testAFilterMatchingNoCaseExitsTwoWithTheNearestCases() throws {
        let r = try CLIRunner.run(["test", "specs/examples/custom-webhook.json", "--filter", "retyr"])
        XCTAssertEqual(r.status, 2, r.stdout)
        XCTAssertTrue(r.stderr.contains("--filter \"retyr\" matches no case; nearest: custom-webhook/retry-after-429, custom-webhook/retry-exhausted-503"), r.stderr)
        XCTAssertEqual(r.stdout, "", "nothing ran")
        let list = try CLIRunner.run(["test", "specs/examples/custom-webhook.json", "--filter", "Happy", "--list"])
        XCTAssertEqual(list.status, 2)
        XCTAssertTrue(list.stderr.contains("nearest: custom-webhook/happy-path"), list.stderr)
        let ok = try CLIRunner.run(["test", "specs/examples/custom-webhook.json", "--filter", "happy", "--list"])
        XCTAssertEqual(ok.status, 0)
        XCTAssertEqual(ok.stdout, "custom-webhook/happy-path\n")
    }
}
