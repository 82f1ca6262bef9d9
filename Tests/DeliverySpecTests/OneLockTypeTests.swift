import Foundation
import XCTest

/// The package has one lock type (issue 11, "Structure"): DSCore's `Locked` and
/// `ConditionLock`, built on the pthread mutex and condition variable in
/// `Sources/DSCore/Locked.swift`, the only file allowed to touch those. Anywhere else under
/// `Sources`, a foreign lock (`NSLock`, `NSRecursiveLock`, `NSCondition`, `NSConditionLock`,
/// `DispatchSemaphore`, `os_unfair_lock`, `OSAllocatedUnfairLock`, Synchronization's `Mutex`,
/// raw `pthread_mutex_*` / `pthread_cond_*` / `pthread_rwlock_*`) or a dispatch queue used as
/// one (`queue.sync { ... }`) fails this test. Dispatch queues that only deliver events (signal
/// sources, timers) are not locks and pass. Comments and strings are ignored.
final class OneLockTypeTests: XCTestCase {
    private let root = CLIRunner.repositoryRoot

    func testNoLockButDSCoresUnderSources() throws {
        let sources = root.appendingPathComponent("Sources")
        var checked = 0
        guard let files = FileManager.default.enumerator(atPath: sources.path) else { return XCTFail("no Sources") }
        for case let relative as String in files where relative.hasSuffix(".swift") && relative != "DSCore/Locked.swift" {
            let text = try String(contentsOf: sources.appendingPathComponent(relative), encoding: .utf8)
            for use in Self.foreignLocks(swiftSource: text) {
                XCTFail("Sources/\(relative):\(use.line): `\(use.api)` is a lock other than DSCore's Locked / ConditionLock, the package's one lock type: use those")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 200, "read too few source files")
    }

    func testScannerFlagsForeignLocksOnly() {
        func apis(_ source: String) -> [String] { Self.foreignLocks(swiftSource: source).map(\.api) }
        XCTAssertEqual(apis("let l = NSLock()\n"), ["NSLock"])
        XCTAssertEqual(apis("let s = DispatchSemaphore(value: 0)\n"), ["DispatchSemaphore"])
        XCTAssertEqual(apis("pthread_mutex_lock(&m)\n"), ["pthread_mutex_lock"])
        XCTAssertEqual(apis("let m = Mutex(0)\n"), ["Mutex"])
        XCTAssertEqual(apis("queue.sync { counter += 1 }\n"), ["queue.sync"])
        XCTAssertEqual(apis("writer.sync(execute: work)\n"), ["writer.sync"])
        XCTAssertEqual(apis("let l = Locked(0)\nlet c = ConditionLock()\n"), [])
        XCTAssertEqual(apis("// NSLock\nlet t = \"DispatchSemaphore\"\ntry file.sync()\nqueue.async { }\n"), [])
    }

    static let foreignNames: Set<String> = [
        "NSLock", "NSRecursiveLock", "NSCondition", "NSConditionLock", "DispatchSemaphore", "os_unfair_lock",
        "OSAllocatedUnfairLock", "Mutex",
    ]

    static func foreignLocks(swiftSource: String) -> [(line: Int, api: String)] {
        let tokens = RuntimeEngineIsolationTests.tokenize(RuntimeEngineIsolationTests.codeOnly(swiftSource))
        var uses: [(line: Int, api: String)] = []
        for (i, t) in tokens.enumerated() {
            let previous = i > 0 ? tokens[i - 1].text : ""
            let next = i + 1 < tokens.count ? tokens[i + 1].text : ""
            if previous != ".", foreignNames.contains(t.text)
                || ["pthread_mutex_", "pthread_cond_", "pthread_rwlock_"].contains(where: { t.text.hasPrefix($0) }) {
                uses.append((t.line, t.text))
            } else if t.text == "sync", previous == ".", i >= 2, next == "{" || next == "(" {
                // `x.sync()` with no argument is a file's fsync (AppendFile.sync), not a queue.
                if next == "(", i + 2 < tokens.count, tokens[i + 2].text == ")" { continue }
                uses.append((t.line, "\(tokens[i - 2].text).sync"))
            }
        }
        return uses
    }
}
