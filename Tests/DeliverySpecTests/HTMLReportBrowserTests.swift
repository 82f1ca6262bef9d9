import Foundation
import XCTest

/// `dspec test --format html` opened in headless Chromium (Tests/html/check_report.py): no
/// console messages, one section per case run, the Retry-After pause on the timeline, a
/// screenshot. Skips when python3 or Chromium is missing.
final class HTMLReportBrowserTests: XCTestCase {
    func testReportRendersInHeadlessChromium() throws {
        guard let exe = CLIRunner.executable else { throw XCTSkip("dspec executable not found next to the test bundle") }
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin"]
        guard let python = dirs.map({ "\($0)/python3" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("python3 is not installed")
        }
        guard dirs.contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/chromium") }) else {
            throw XCTSkip("chromium is not installed (apt-get install chromium)")
        }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-html-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["Tests/html/check_report.py", exe.path, out.path]
        p.currentDirectoryURL = CLIRunner.repositoryRoot
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if p.terminationStatus == 3 { throw XCTSkip(text) }
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("console messages: 0"), text)
    }
}
