import Foundation
import XCTest

/// Runs the `openssl` command-line tool for cross-checks, in a private temporary directory.
struct OpenSSLTool {
    let executable: URL
    let directory: URL

    /// Finds `openssl` on PATH (or in the usual places) or skips the calling test.
    static func require() throws -> OpenSSLTool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/openssl" } + ["/usr/bin/openssl", "/usr/local/bin/openssl"]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("the openssl command-line tool is not installed")
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("dscrypto-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return OpenSSLTool(executable: URL(fileURLWithPath: found), directory: directory)
    }

    /// The path of `name` inside the temporary directory.
    func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
    }

    func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    /// Runs openssl with `arguments` (stdin closed) and returns its exit status.
    @discardableResult
    func run(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Runs openssl and fails the test unless it exits with status 0.
    func runChecked(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let status = try run(arguments)
        guard status == 0 else {
            XCTFail("openssl \(arguments.joined(separator: " ")) exited with \(status)", file: file, line: line)
            throw CancellationError()
        }
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }
}
