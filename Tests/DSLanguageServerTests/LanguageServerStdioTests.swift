import DeliverySpec
import DSLanguageServer
import Foundation
import XCTest

/// The stdio edge over real pipes: a client that disappears mid-message, a huge
/// Content-Length, a closed output, and the shutdown/exit sequence.
final class LanguageServerStdioTests: XCTestCase {
    func frame(_ body: String) -> [UInt8] { Array("Content-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8) }

    /// Runs the edge on `input` (then EOF); returns the exit code and everything it wrote.
    func serve(_ input: [UInt8], closeOutput: Bool = false) -> (Int32, String, String) {
        var inFds: [Int32] = [0, 0], outFds: [Int32] = [0, 0], logFds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&inFds), 0)
        XCTAssertEqual(pipe(&outFds), 0)
        XCTAssertEqual(pipe(&logFds), 0)
        let writeEnd = inFds[1]
        let writer = Thread {
            var offset = 0
            while offset < input.count {
                let n = input.withUnsafeBytes { write(writeEnd, $0.baseAddress! + offset, $0.count - offset) }
                if n <= 0 { break }
                offset += n
            }
            close(writeEnd)
        }
        writer.start()
        if closeOutput { close(outFds[0]) }
        let outHandle = FileHandle(fileDescriptor: outFds[0], closeOnDealloc: false)
        let logHandle = FileHandle(fileDescriptor: logFds[0], closeOnDealloc: false)
        let collected = Locked<(Data, Data)>((Data(), Data()))
        let readers = DispatchGroup()
        if !closeOutput {
            DispatchQueue.global().async(group: readers) { let d = outHandle.readDataToEndOfFile(); collected.withLock { $0.0 = d } }
        }
        DispatchQueue.global().async(group: readers) { let d = logHandle.readDataToEndOfFile(); collected.withLock { $0.1 = d } }
        let code = LanguageServerStdio().run(input: inFds[0], output: outFds[1], log: logFds[1])
        close(outFds[1])
        close(logFds[1])
        readers.wait()
        close(inFds[0])
        if !closeOutput { close(outFds[0]) }
        close(logFds[0])
        let (out, log) = collected.withLock { $0 }
        return (code, String(decoding: out, as: UTF8.self), String(decoding: log, as: UTF8.self))
    }

    let initialize = #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#

    func testShutdownThenExitIsZero() {
        let (code, out, _) = serve(frame(initialize) + frame(#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#) + frame(#"{"jsonrpc":"2.0","method":"exit"}"#))
        XCTAssertEqual(code, 0)
        XCTAssertTrue(out.contains(#""id":2,"result":null"#), out)
    }

    func testClientDisappearsMidMessage() {
        let (code, out, log) = serve(frame(initialize) + Array("Content-Length: 80\r\n\r\n{\"jsonrpc\":".utf8))
        XCTAssertEqual(code, 1)
        XCTAssertTrue(out.contains("\"capabilities\""), out)
        XCTAssertTrue(log.contains("input ended inside a message"), log)
    }

    func testHugeContentLengthAndGarbageAreSurvived() {
        let input = Array("Content-Length: 999999999999\r\n\r\n".utf8) + Array(repeating: UInt8(ascii: "z"), count: 10_000)
        let (code, _, log) = serve(input)
        XCTAssertEqual(code, 1)
        XCTAssertTrue(log.contains("over the limit"), log)
        let (code2, out2, _) = serve(frame("{oops") + frame(initialize) + frame(#"{"jsonrpc":"2.0","id":3,"method":"nope/nope"}"#))
        XCTAssertEqual(code2, 1)
        XCTAssertTrue(out2.contains("-32700"), out2)
        XCTAssertTrue(out2.contains("-32601"), out2)
    }

    func testClosedOutputEndsTheLoop() {
        let (code, _, _) = serve(frame(initialize) + frame(initialize), closeOutput: true)
        XCTAssertEqual(code, 1)
    }
}
