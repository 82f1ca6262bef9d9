import Foundation
import XCTest

/// DSRuntime is the delivery engine, pure and clock-driven; its I/O lives in the edge target
/// DSRuntimePOSIX (docs/architecture.md, issue 11 "Structure"). This test keeps the split
/// true: no source file under `Sources/DSRuntime` may use an API that reaches the operating
/// system, with comments and string literals ignored (interpolations are code and checked).
///
/// The list, and why each entry is on it:
/// - **Sockets, files and descriptors** (`socket`, `connect`, `poll`, `open`, `read`,
///   `write`, `pread`, `fsync`, `stat`, `rename`, `unlink`, ..., `FileHandle`,
///   `FileManager`, `STDOUT_FILENO`, `errno`, `strerror`): the edge owns every descriptor.
/// - **Standard output** (`print`, `debugPrint`, `dump`, `fputs`, `stdout`, `stderr`):
///   stages never print; the CLI decides how to present.
/// - **Threads and queues** (`Thread`, `pthread_*`, `DispatchQueue`, `DispatchSemaphore`,
///   `DispatchGroup`, `DispatchSource`, `OperationQueue`, `Process`): the engine runs on the
///   caller's tasks; a thread that blocks on a disk or a socket is the edge's.
/// - **Foreign locks** (`NSLock`, `NSRecursiveLock`, `NSCondition`, `os_unfair_lock`): the
///   package has one lock type, DSCore's `Locked` / `ConditionLock`.
/// - **Real time** (`Date`, `ContinuousClock`, `SuspendingClock`, `Task.sleep`,
///   `clock_gettime`, `gettimeofday`, `sleep`, `usleep`, `nanosleep`): the engine reads
///   time only through `RuntimeClock`, which is what lets tests run it on `VirtualClock`.
/// - **The environment and the process** (`ProcessInfo`, `getenv`, `exit`, `getpid`,
///   `kill`, `signal`), **networking** (`URLSession`, `URLRequest`), and the platform
///   modules that would bring all of the above (`Glibc`, `Musl`, `Darwin`, `Dispatch`,
///   `FoundationNetworking`); a call qualified by a module (`Foundation.write(...)`) counts.
final class RuntimeEngineIsolationTests: XCTestCase {
    private let root = CLIRunner.repositoryRoot

    func testEngineSourcesUseNoIOThreadOrRealTimeAPI() throws {
        let engine = root.appendingPathComponent("Sources/DSRuntime")
        var checked = 0
        guard let files = FileManager.default.enumerator(atPath: engine.path) else { return XCTFail("no Sources/DSRuntime") }
        for case let relative as String in files where relative.hasSuffix(".swift") {
            let text = try String(contentsOf: engine.appendingPathComponent(relative), encoding: .utf8)
            for use in Self.forbiddenUses(swiftSource: text) {
                XCTFail("Sources/DSRuntime/\(relative):\(use.line): `\(use.api)` is I/O, a thread or real time: the engine must stay pure and clock-driven; move this code to DSRuntimePOSIX (or put it behind an engine protocol the edge implements)")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 25, "read too few engine files")
    }

    /// The scanner finds what it must and ignores comments, strings and the engine's own names.
    func testScannerFlagsIOAndIgnoresCommentsStringsAndMethods() {
        func apis(_ source: String) -> [String] { Self.forbiddenUses(swiftSource: source).map(\.api) }
        XCTAssertEqual(apis("let fd = open(path, O_RDONLY)\n"), ["open"])
        XCTAssertEqual(apis("_ = Foundation.write(fd, p, n)\n"), ["Foundation.write"])
        XCTAssertEqual(apis("print(\"x\")\n"), ["print"])
        XCTAssertEqual(apis("let q = DispatchQueue(label: \"w\")\n"), ["DispatchQueue"])
        XCTAssertEqual(apis("let t = Thread { }\n"), ["Thread"])
        XCTAssertEqual(apis("let l = NSLock()\n"), ["NSLock"])
        XCTAssertEqual(apis("try await Task.sleep(for: .seconds(1))\n"), ["Task.sleep"])
        XCTAssertEqual(apis("let now = Date()\n"), ["Date"])
        XCTAssertEqual(apis("let m = \"\\(strerror(e))\"\n"), ["strerror"], "an interpolation is code")
        XCTAssertEqual(apis("#if canImport(Glibc)\nimport Glibc\n#endif\n"), ["import Glibc"])
        XCTAssertEqual(apis("x = FileManager.default.contents(atPath: p)\n"), ["FileManager"])
        XCTAssertEqual(apis("pthread_mutex_lock(m)\n"), ["pthread_mutex_lock"])
        // Not uses: comments, string text, methods and declarations of the same name.
        XCTAssertEqual(apis("// write(fd) and print(x)\n/* Thread { } /* nested */ open() */\n"), [])
        XCTAssertEqual(apis("let s = \"close(fd) print(x)\"\nlet m = \"\"\"\nread(fd)\n\"\"\"\n"), [])
        XCTAssertEqual(apis("try deadLetters.write(letters)\nfile.close()\nfunc read(_ x: Int) {}\n"), [])
        XCTAssertEqual(apis("private func poll() -> Int { 0 }\nswitch poll() { default: break }\n"), [], "a method of the file's own")
        XCTAssertEqual(apis("let openBatch = 1\nlet readable = true\n"), [])
        XCTAssertEqual(Self.forbiddenUses(swiftSource: "\n\nwrite(1, p, 2)\n").map(\.line), [3])
    }

    // MARK: - Scanner

    /// Called as a free function (not `x.name(`), unless the file declares `func name`.
    static let forbiddenCalls: Set<String> = [
        "socket", "socketpair", "connect", "bind", "listen", "accept", "poll", "select", "shutdown",
        "send", "recv", "sendto", "recvfrom", "getaddrinfo",
        "open", "openat", "creat", "close", "read", "write", "pread", "pwrite", "readv", "writev",
        "fsync", "fdatasync", "truncate", "ftruncate", "lseek", "stat", "fstat", "lstat", "unlink",
        "rename", "mkdir", "rmdir", "opendir", "pipe", "dup", "dup2", "fcntl", "ioctl",
        "fopen", "fclose", "fread", "fwrite", "fputs", "fflush", "puts", "putchar",
        "print", "debugPrint", "dump", "strerror", "getenv", "setenv", "exit", "getpid", "kill", "signal",
        "sleep", "usleep", "nanosleep", "clock_gettime", "gettimeofday",
    ]
    /// Named anywhere (types, globals).
    static let forbiddenNames: Set<String> = [
        "Thread", "FileHandle", "FileManager", "DispatchQueue", "DispatchSemaphore", "DispatchGroup",
        "DispatchSource", "OperationQueue", "Process", "ProcessInfo", "NSLock", "NSRecursiveLock",
        "NSCondition", "NSConditionLock", "os_unfair_lock", "URLSession", "URLRequest", "InputStream",
        "OutputStream", "Date", "ContinuousClock", "SuspendingClock", "STDIN_FILENO", "STDOUT_FILENO",
        "STDERR_FILENO", "stdout", "stderr", "errno",
    ]
    static let forbiddenModules: Set<String> = ["Glibc", "Musl", "Darwin", "Dispatch", "FoundationNetworking"]
    static let qualifyingModules: Set<String> = ["Foundation", "Glibc", "Musl", "Darwin"]

    /// Forbidden API uses in `swiftSource`, with 1-based lines.
    static func forbiddenUses(swiftSource: String) -> [(line: Int, api: String)] {
        let code = codeOnly(swiftSource)
        var declared = Set<String>()
        let tokens = tokenize(code)
        for (i, t) in tokens.enumerated() where t.text == "func" && i + 1 < tokens.count { declared.insert(tokens[i + 1].text) }
        var uses: [(line: Int, api: String)] = []
        for (i, t) in tokens.enumerated() {
            let previous = i > 0 ? tokens[i - 1].text : ""
            let next = i + 1 < tokens.count ? tokens[i + 1].text : ""
            if previous == "import" {
                if forbiddenModules.contains(t.text) { uses.append((t.line, "import \(t.text)")) }
                continue
            }
            if t.text.hasPrefix("pthread_") || forbiddenNames.contains(t.text) {
                if previous != "." { uses.append((t.line, t.text)) }
                continue
            }
            if t.text == "Task", next == ".", i + 2 < tokens.count, tokens[i + 2].text == "sleep" {
                uses.append((t.line, "Task.sleep"))
                continue
            }
            guard forbiddenCalls.contains(t.text), next == "(", previous != "func" else { continue }
            if previous == "." {
                let owner = i >= 2 ? tokens[i - 2].text : ""
                if qualifyingModules.contains(owner) { uses.append((t.line, "\(owner).\(t.text)")) }
            } else if !declared.contains(t.text) {
                uses.append((t.line, t.text))
            }
        }
        return uses
    }

    /// Identifiers and punctuation with their lines.
    static func tokenize(_ code: [Character]) -> [(text: String, line: Int)] {
        var tokens: [(text: String, line: Int)] = []
        var line = 1
        var i = 0
        while i < code.count {
            let c = code[i]
            if c == "\n" { line += 1; i += 1; continue }
            if c.isLetter || c == "_" {
                var j = i
                while j < code.count, code[j].isLetter || code[j].isNumber || code[j] == "_" { j += 1 }
                tokens.append((String(code[i..<j]), line))
                i = j
                continue
            }
            if !c.isWhitespace { tokens.append((String(c), line)) }
            i += 1
        }
        return tokens
    }

    /// The source with comments and string-literal text blanked (newlines kept, so lines
    /// still count); string interpolations stay, since they are code.
    static func codeOnly(_ source: String) -> [Character] {
        let s = Array(source)
        var out: [Character] = []
        out.reserveCapacity(s.count)
        enum Mode { case code, string(multiline: Bool) }
        // Each open string remembers the parenthesis depth of the interpolation it sits in.
        var modes: [Mode] = [.code]
        var parenDepth: [Int] = [0]
        var i = 0
        func blank(_ c: Character) { out.append(c == "\n" ? "\n" : " ") }
        while i < s.count {
            let c = s[i]
            switch modes.last! {
            case .code:
                if c == "/", i + 1 < s.count, s[i + 1] == "/" {
                    while i < s.count, s[i] != "\n" { blank(s[i]); i += 1 }
                } else if c == "/", i + 1 < s.count, s[i + 1] == "*" {
                    var depth = 0
                    repeat {
                        if s[i] == "/", i + 1 < s.count, s[i + 1] == "*" { depth += 1; blank(s[i]); blank(s[i + 1]); i += 2; continue }
                        if s[i] == "*", i + 1 < s.count, s[i + 1] == "/" { depth -= 1; blank(s[i]); blank(s[i + 1]); i += 2; continue }
                        blank(s[i]); i += 1
                    } while depth > 0 && i < s.count
                } else if c == "\"" {
                    let multiline = i + 2 < s.count && s[i + 1] == "\"" && s[i + 2] == "\""
                    let width = multiline ? 3 : 1
                    for _ in 0..<width { out.append("\""); i += 1 }
                    modes.append(.string(multiline: multiline))
                    parenDepth.append(0)
                } else {
                    if c == "(" { parenDepth[parenDepth.count - 1] += 1 }
                    if c == ")" {
                        if parenDepth[parenDepth.count - 1] == 0, modes.count > 1 {
                            // The end of an interpolation: back into its string.
                            modes.removeLast()
                            parenDepth.removeLast()
                            out.append(")"); i += 1
                            continue
                        }
                        parenDepth[parenDepth.count - 1] -= 1
                    }
                    out.append(c); i += 1
                }
            case .string(let multiline):
                if c == "\\", i + 1 < s.count {
                    if s[i + 1] == "(" {
                        out.append("\\"); out.append("(")
                        i += 2
                        modes.append(.code)
                        parenDepth.append(0)
                    } else {
                        blank(s[i]); blank(s[i + 1]); i += 2
                    }
                } else if c == "\"", !multiline || (i + 2 < s.count && s[i + 1] == "\"" && s[i + 2] == "\"") {
                    for _ in 0..<(multiline ? 3 : 1) { out.append("\""); i += 1 }
                    modes.removeLast()
                    parenDepth.removeLast()
                } else {
                    blank(c); i += 1
                }
            }
        }
        return out
    }
}
