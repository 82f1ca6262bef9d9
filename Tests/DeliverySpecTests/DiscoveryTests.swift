import Foundation
import XCTest

/// Directory runs take only specs: not the fixtures `dspec render` writes beside them, not
/// other JSON files; and a directory run says on stdout why it fails.
final class DiscoveryTests: ScratchDirectoryTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        let examples = CLIRunner.repositoryRoot.appendingPathComponent("specs/examples")
        for suffix in [".json", ".events.ndjson", ".settings.json", ".secrets.json", ".suite.json"] {
            try FileManager.default.copyItem(at: examples.appendingPathComponent("github-style-webhook" + suffix),
                                             to: dir.appendingPathComponent("github-style-webhook" + suffix))
        }
        try Data(#"{"name": "not-a-spec", "version": "1.0.0"}"#.utf8).write(to: dir.appendingPathComponent("package.json"))
    }

    func testRenderInsideASpecFolderThenLintAndTestTheFolder() throws {
        let render = try CLIRunner.run(["render", "."], in: dir)
        XCTAssertEqual(render.status, 0, render.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("fixtures/github-style-webhook/001-page-product-detail.json").path))
        let lint = try CLIRunner.run(["lint", "."], in: dir)
        XCTAssertEqual(lint.status, 0, lint.stdout)
        XCTAssertTrue(lint.stdout.contains("1 file checked"), lint.stdout)
        let list = try CLIRunner.run(["test", ".", "--list"], in: dir)
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("github-style-webhook/") }, list.stdout)
        let test = try CLIRunner.run(["test", ".", "--filter", "happy-path"], in: dir)
        XCTAssertEqual(test.status, 0, test.stdout + test.stderr)
        let again = try CLIRunner.run(["render", ".", "--check"], in: dir)
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
    }

    func testADirectoryRunSaysOnStdoutWhyItFails() throws {
        try Data(#"{"dspec": 1, "name": "Broken Name"}"#.utf8).write(to: dir.appendingPathComponent("broken.json"))
        try Data("{}\n".utf8).write(to: dir.appendingPathComponent("broken.events.ndjson"))
        let r = try CLIRunner.run(["test", ".", "--filter", "happy-path"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("1 spec not run because it has errors (details on standard error): ./broken.json"), r.stdout)
        let render = try CLIRunner.run(["render", "."], in: dir)
        XCTAssertEqual(render.status, 1)
        XCTAssertTrue(render.stdout.contains("fixtures/broken: not rendered: ./broken.json has errors (details on standard error)"), render.stdout)
    }
}
