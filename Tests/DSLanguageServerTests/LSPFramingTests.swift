import DSLanguageServer
import DSJSON
import XCTest

final class LSPFramingTests: XCTestCase {
    func frame(_ body: String) -> [UInt8] { Array("Content-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8) }

    func testMessagesSplitAcrossReadsAndBackToBack() {
        var d = LSPFrameDecoder()
        let bytes = frame("{\"a\":1}") + frame("{\"b\":2}")
        d.append(bytes[0..<5])
        XCTAssertNil(d.next())
        d.append(bytes[5..<30])
        XCTAssertEqual(d.next(), .message(Array("{\"a\":1}".utf8)))
        d.append(bytes[30...])
        XCTAssertEqual(d.next(), .message(Array("{\"b\":2}".utf8)))
        XCTAssertNil(d.next())
        XCTAssertEqual(d.pendingByteCount, 0)
    }

    func testHugeContentLengthIsSkippedWithoutBuffering() {
        var d = LSPFrameDecoder(maxContentLength: 100)
        d.append(Array("Content-Length: 1000\r\n\r\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 300))
        guard case .error(let message)? = d.next() else { return XCTFail("expected an error") }
        XCTAssertTrue(message.contains("over the limit"), message)
        XCTAssertNil(d.next())
        d.append(Array(repeating: UInt8(ascii: "x"), count: 700) + frame("{}"))
        XCTAssertEqual(d.next(), .message(Array("{}".utf8)))
    }

    func testEnormousContentLengthDigitsAreAnError() {
        var d = LSPFrameDecoder()
        d.append(Array("Content-Length: 99999999999999999999999999\r\n\r\n".utf8) + frame("{}"))
        guard case .error? = d.next() else { return XCTFail("expected an error") }
        XCTAssertEqual(d.next(), .message(Array("{}".utf8)))
    }

    func testMissingOrMalformedHeaderResynchronises() {
        var d = LSPFrameDecoder()
        d.append(Array("Content-Type: x\r\n\r\n".utf8) + Array("garbage\r\n\r\n".utf8) + frame("{}"))
        guard case .error? = d.next() else { return XCTFail("expected an error for no Content-Length") }
        guard case .error? = d.next() else { return XCTFail("expected an error for a line without a colon") }
        XCTAssertEqual(d.next(), .message(Array("{}".utf8)))
    }

    func testEndlessHeaderIsDiscarded() {
        var d = LSPFrameDecoder(maxHeaderBytes: 64)
        d.append(Array(repeating: UInt8(ascii: "a"), count: 200))
        guard case .error? = d.next() else { return XCTFail("expected an error") }
        XCTAssertEqual(d.pendingByteCount, 0)
    }

    func testPositionsCountUTF16Units() {
        let text = "ab\n\u{1F600}x\u{00E9}y\n"
        let p = TextPositions(Array(text.utf8))
        // "x" follows a 4-byte emoji: byte 7, UTF-16 character 2.
        XCTAssertEqual(p.position(ofOffset: 7), .init(line: 1, character: 2))
        XCTAssertEqual(p.position(ofOffset: 10), .init(line: 1, character: 4))  // "y" after 2-byte é
        XCTAssertEqual(p.offset(of: .init(line: 1, character: 4)), 10)
        XCTAssertEqual(p.offset(of: .init(line: 1, character: 99)), 11)
        XCTAssertEqual(p.offset(of: .init(line: 9, character: 0)), text.utf8.count)
    }

    func testCursorContext() {
        let text = #"{"endpoint": {"url": "x", "ti"#
        let c = CursorContext.at(Array(text.utf8), offset: text.utf8.count)
        XCTAssertEqual(c.path, ["endpoint"])
        XCTAssertEqual(c.slot, .key)
        XCTAssertNotNil(c.stringContentStart)
        let t2 = #"{"lint": {"suppress": [{"rule": "DS03"#
        let c2 = CursorContext.at(Array(t2.utf8), offset: t2.utf8.count)
        XCTAssertEqual(c2.path, ["lint", "suppress", "0", "rule"])
        XCTAssertEqual(c2.slot, .value)
    }
}
