import DeliverySpec
import Foundation
import XCTest

/// `dspec lsp` driven by independent clients: pygls's LanguageClient (PyPI, Tests/lsp/test_lsp.py)
/// and headless Neovim (Debian package, Tests/lsp/nvim_diagnostics.lua). Each skips with the
/// reason when its client is not installed.
final class EditorClientInteropTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var dspec: URL? {
        let candidates = [Bundle.main.bundleURL.appendingPathComponent("dspec"),
                          Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("dspec")]
            + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent().appendingPathComponent("dspec") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    static func onPath(_ name: String) -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return dirs.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func run(_ exe: String, _ args: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.currentDirectoryURL = Self.root
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testPyglsClientSeesLintsDiagnosticsCompletionHoverDefinitionAndCodeActions() throws {
        guard let dspec = Self.dspec else { throw XCTSkip("dspec executable not found next to the test bundle") }
        guard let python = Self.onPath("python3") else { throw XCTSkip("python3 is not installed") }
        let (probe, _) = try run(python, ["-c", "import pygls.lsp.client, lsprotocol"])
        guard probe == 0 else { throw XCTSkip("pygls is not installed (pip install pygls pytest-lsp)") }
        let (status, output) = try run(python, ["Tests/lsp/test_lsp.py", dspec.path])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("equal to dspec lint's: True"), output)
    }

    func testHeadlessNeovimShowsTheDiagnosticsOfLint() throws {
        guard let dspec = Self.dspec else { throw XCTSkip("dspec executable not found next to the test bundle") }
        guard let nvim = Self.onPath("nvim") else { throw XCTSkip("Neovim is not installed (apt-get install neovim)") }
        let spec = "Tests/lsp/sample/typo.json"
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dspec-nvim-\(ProcessInfo.processInfo.processIdentifier).txt")
        defer { try? FileManager.default.removeItem(at: out) }
        let (status, log) = try run(nvim, ["--headless", "-u", "NONE", "-n", "-c", "luafile Tests/lsp/nvim_diagnostics.lua", spec],
                                    environment: ["DSPEC": dspec.path, "OUT": out.path])
        XCTAssertEqual(status, 0, log)
        let got = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        let lint = LintRunner().lint(paths: [Self.root.appendingPathComponent(spec).path]).results.flatMap(\.diagnostics)
        XCTAssertFalse(lint.isEmpty)
        // Neovim keeps byte columns, as lint reports them (1-based there, 0-based here).
        let want = lint.map { d -> String in
            let s = d.location!, e = d.endLocation ?? d.location!
            let message = d.message + (d.hint.map { "\n" + $0 } ?? "")
            return "\(d.code) \(s.line - 1):\(s.column - 1)-\(e.line - 1):\(e.column - 1) \(message.replacingOccurrences(of: "\n", with: " | "))"
        }.joined(separator: "\n") + "\n"
        XCTAssertEqual(got, want)
    }
}
