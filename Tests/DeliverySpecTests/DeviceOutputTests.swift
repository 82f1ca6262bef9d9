import DeliverySpec
import Foundation
import XCTest

/// Issue 11 defect 13: every writer writes in place to what is not a regular file (a device,
/// a FIFO) and keeps the atomic temp+rename for regular files. Each test creates its own
/// nodes in a temporary directory: never the real /dev/null.
final class DeviceOutputTests: XCTestCase {
    var dir: String!

    override func setUp() {
        dir = NSTemporaryDirectory() + "dspec-devices-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    // MARK: Nodes

    /// A character device node with /dev/null's numbers (1, 3) at `path`; skips unless root.
    func makeNullDevice(_ path: String) throws {
        guard getuid() == 0 else { throw XCTSkip("creating a character device node (mknod) needs root") }
        guard mknod(path, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0 else {
            throw XCTSkip("mknod failed (errno \(errno)): device nodes are not allowed here")
        }
    }

    func fileType(_ path: String) -> mode_t {
        var st = stat()
        return lstat(path, &st) == 0 ? st.st_mode & S_IFMT : 0
    }

    func assertCharacterDevice(_ path: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(fileType(path), S_IFCHR, "\(path) must still be a character device", file: file, line: line)
    }

    /// A FIFO at `path` with a reader thread collecting what is written into it.
    final class FIFOReader: @unchecked Sendable {
        let path: String
        private let fd: Int32
        private let done = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var bytes: [UInt8] = []

        init(_ path: String) throws {
            guard mkfifo(path, 0o644) == 0 else { throw XCTSkip("mkfifo failed (errno \(errno))") }
            self.path = path
            // Non-blocking open of the read end succeeds at once; poll then waits for a writer.
            fd = open(path, O_RDONLY | O_NONBLOCK)
            guard fd >= 0 else { throw XCTSkip("cannot open the FIFO (errno \(errno))") }
            let thread = Thread { [self] in read() }
            thread.start()
        }

        private func read() {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, -1) >= 0 || errno == EINTR else { break }
                let n = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress!, $0.count) }
                if n > 0 { lock.lock(); bytes += buffer[..<n]; lock.unlock(); continue }
                if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
                break
            }
            done.signal()
        }

        /// Waits for the writer to have closed (the command has exited), then returns what
        /// was read. If the command never opened the FIFO, a writer is connected and closed
        /// through /proc so the reader sees the end instead of waiting forever.
        func finish() -> [UInt8] {
            let poke = open("/proc/self/fd/\(fd)", O_WRONLY | O_NONBLOCK)
            if poke >= 0 { close(poke) }
            done.wait()
            close(fd)
            lock.lock(); defer { lock.unlock() }
            return bytes
        }
    }

    // MARK: The shared helper

    func testOutputFileWritesInPlaceToDevicesFIFOsAndSymlinksAndAtomicallyToRegularFiles() throws {
        // Regular file: replaced (a new inode), keeping its mode.
        let regular = dir + "/plan.json"
        try Data("old".utf8).write(to: URL(fileURLWithPath: regular))
        chmod(regular, 0o640)
        var before = stat(), after = stat()
        stat(regular, &before)
        try OutputFile.write(Array("new".utf8), to: regular)
        stat(regular, &after)
        XCTAssertEqual(try String(contentsOfFile: regular, encoding: .utf8), "new")
        XCTAssertNotEqual(before.st_ino, after.st_ino, "a regular file is replaced by rename")
        XCTAssertEqual(after.st_mode & 0o7777, 0o640)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["plan.json"], "no temporary file left")

        // Symbolic link: written through in place; the link and its target's inode stay.
        let target = dir + "/target.json"
        let link = dir + "/link.json"
        try Data("old".utf8).write(to: URL(fileURLWithPath: target))
        XCTAssertEqual(symlink(target, link), 0)
        stat(target, &before)
        try OutputFile.write(Array("through".utf8), to: link)
        stat(target, &after)
        XCTAssertEqual(fileType(link), S_IFLNK)
        XCTAssertEqual(before.st_ino, after.st_ino)
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "through")

        // FIFO: written in place, the reader gets the bytes.
        let fifo = try FIFOReader(dir + "/out.fifo")
        try OutputFile.write(Array("to the fifo".utf8), to: fifo.path)
        XCTAssertEqual(String(decoding: fifo.finish(), as: UTF8.self), "to the fifo")
        XCTAssertEqual(fileType(fifo.path), S_IFIFO)

        // Character device.
        let device = dir + "/null"
        try makeNullDevice(device)
        try OutputFile.write(Array("discarded".utf8), to: device)
        assertCharacterDevice(device)
    }

    // MARK: Every writer

    /// Runs `command` (arguments with OUT standing for the target) against a device node
    /// and a FIFO, checks the exit status and that each node survived; returns what the FIFO got.
    @discardableResult
    func runAgainstNodes(_ command: [String], status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let fifo = try FIFOReader(dir + "/out-\(UUID().uuidString).fifo")
        let r = try CLIRunner.run(command.map { $0 == "OUT" ? fifo.path : $0 })
        let received = String(decoding: fifo.finish(), as: UTF8.self)
        XCTAssertEqual(r.status, status, r.stderr, file: file, line: line)
        XCTAssertEqual(fileType(fifo.path), S_IFIFO, "the FIFO must still be a FIFO", file: file, line: line)
        let device = dir + "/null-\(UUID().uuidString)"
        try makeNullDevice(device)
        let d = try CLIRunner.run(command.map { $0 == "OUT" ? device : $0 })
        XCTAssertEqual(d.status, status, d.stderr, file: file, line: line)
        assertCharacterDevice(device, file: file, line: line)
        return received
    }

    func testCompileOutputToADeviceOrFIFO() throws {
        let received = try runAgainstNodes(["compile", "specs/examples/custom-webhook.json", "-o", "OUT"])
        XCTAssertTrue(received.contains("\"plan_version\""), received)
    }

    func testLintBaselineToADeviceOrFIFO() throws {
        let received = try runAgainstNodes(["lint", "specs/examples/custom-webhook.json", "--write-baseline", "OUT"])
        XCTAssertFalse(received.isEmpty)
    }

    func testTestReportToADeviceOrFIFO() throws {
        let received = try runAgainstNodes(["test", "specs/examples/custom-webhook.suite.json", "--filter", "custom-webhook/happy-path", "--format", "junit", "-o", "OUT"])
        XCTAssertTrue(received.hasPrefix("<?xml"), received)
    }

    func testRenderFixtureThatIsADeviceOrFIFO() throws {
        let root = dir + "/fixtures"
        let r = try CLIRunner.run(["render", "specs/examples/custom-webhook.json", "-o", root])
        XCTAssertEqual(r.status, 0, r.stderr)
        let fixture = root + "/custom-webhook/001-track-order-completed.json"
        let expected = try String(contentsOfFile: fixture, encoding: .utf8)
        // The fixture path is a FIFO: the fixture is written into it, and it stays a FIFO.
        try FileManager.default.removeItem(atPath: fixture)
        let fifo = try FIFOReader(fixture)
        let again = try CLIRunner.run(["render", "specs/examples/custom-webhook.json", "-o", root])
        XCTAssertEqual(String(decoding: fifo.finish(), as: UTF8.self), expected)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(fileType(fixture), S_IFIFO)
        try FileManager.default.removeItem(atPath: fixture)
        try makeNullDevice(fixture)
        let third = try CLIRunner.run(["render", "specs/examples/custom-webhook.json", "-o", root])
        XCTAssertEqual(third.status, 0, third.stderr)
        assertCharacterDevice(fixture)
    }

    func testDeadLetterFileCheckpointAndSecretsWriteBackOnDevicesAndFIFOs() throws {
        let letter = DeadLetter(line: 1, eventID: "e1", reason: "r")
        // FIFOs.
        let deadFIFO = try FIFOReader(dir + "/dead.fifo")
        let dead = try DeadLetterFile(path: deadFIFO.path)
        try dead.write([letter])
        dead.close()
        XCTAssertTrue(String(decoding: deadFIFO.finish(), as: UTF8.self).hasPrefix(#"{"line":1,"event_id":"e1""#))
        XCTAssertEqual(fileType(deadFIFO.path), S_IFIFO)

        let ckptFIFO = try FIFOReader(dir + "/ckpt.fifo")
        let checkpoint = try CheckpointLog(path: ckptFIFO.path, input: CheckpointInput(path: "-", size: nil, headHash: nil))
        try checkpoint.record([1, 2, 3])
        checkpoint.close()
        XCTAssertTrue(String(decoding: ckptFIFO.finish(), as: UTF8.self).hasSuffix("\n1-3\n"))
        XCTAssertEqual(fileType(ckptFIFO.path), S_IFIFO)

        let secretsPath = dir + "/secrets.json"
        try Data(#"{"refresh_token": "old"}"#.utf8).write(to: URL(fileURLWithPath: secretsPath))
        let store = try JSONFileSecretStore(path: secretsPath)
        try FileManager.default.removeItem(atPath: secretsPath)
        let secretsFIFO = try FIFOReader(secretsPath)
        try store.update("refresh_token", to: "rotated")
        XCTAssertTrue(String(decoding: secretsFIFO.finish(), as: UTF8.self).contains("rotated"))
        XCTAssertEqual(fileType(secretsPath), S_IFIFO)
        try FileManager.default.removeItem(atPath: secretsPath)

        // Character devices.
        let deadDevice = dir + "/dead.null"
        try makeNullDevice(deadDevice)
        let deadOnDevice = try DeadLetterFile(path: deadDevice)
        try deadOnDevice.write([letter])
        deadOnDevice.close()
        assertCharacterDevice(deadDevice)

        let ckptDevice = dir + "/ckpt.null"
        try makeNullDevice(ckptDevice)
        let checkpointOnDevice = try CheckpointLog(path: ckptDevice, input: CheckpointInput(path: "-", size: nil, headHash: nil))
        try checkpointOnDevice.record([1])
        checkpointOnDevice.close()
        assertCharacterDevice(ckptDevice)

        try makeNullDevice(secretsPath)
        try store.update("refresh_token", to: "rotated-again")
        assertCharacterDevice(secretsPath)
    }
}
