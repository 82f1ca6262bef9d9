import DSCore
@testable import DSRuntime
@testable import DSRuntimePOSIX
import XCTest

/// The response head's one-pass fast path (`SocketConnection.fastHead`) against the general
/// path (`generalHead`): whenever the fast path answers, the general path accepts the same
/// head with the same version, status, field bytes and field offsets; on chosen heads (the
/// usual ones must take the fast path, the odd ones may not) and on many random and mutated
/// heads.
final class ResponseHeadFastPathTests: XCTestCase {
    /// Where the reader ends a head: just past the first LF followed by LF or CRLF.
    private static func headEnd(_ b: [UInt8], from start: Int) -> Int? {
        var i = start
        while i < b.count {
            if b[i] == 10 {
                if i + 1 < b.count, b[i + 1] == 10 { return i + 2 }
                if i + 2 < b.count, b[i + 1] == 13, b[i + 2] == 10 { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    /// Compares both paths on `text` (after `prefix` bytes); returns whether the fast path answered.
    @discardableResult
    private func compare(_ bytes: [UInt8], prefix: Int = 0, maxFields: Int = 100, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        guard let end = Self.headEnd(bytes, from: prefix) else { return false }
        var limits = SocketResponseLimits()
        limits.maxHeaderCount = maxFields
        guard let fast = SocketConnection.fastHead(bytes, from: prefix, end: end, maxFields: maxFields) else { return false }
        let shown = HTTPResponseBytes.printable(bytes[prefix..<end].prefix(200))
        do {
            let general = try SocketConnection.generalHead(bytes, from: prefix, end: end, limits: limits)
            XCTAssertEqual(fast.version, general.version, shown, file: file, line: line)
            XCTAssertEqual(fast.status, general.status, shown, file: file, line: line)
            XCTAssertEqual(fast.block.bytes, general.block.bytes, shown, file: file, line: line)
            XCTAssertEqual(fast.block.offsets, general.block.offsets, shown, file: file, line: line)
            XCTAssertEqual(fast.block.fields, general.block.fields, shown, file: file, line: line)
        } catch {
            XCTFail("the fast path accepted a head the general path refuses (\(error)): \(shown)", file: file, line: line)
        }
        return true
    }

    func testChosenHeads() {
        let usual = [
            "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Mon, 30 Nov 2026 12:00:00 GMT\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: keep-alive\r\n\r\n{\"ok\":true}",
            "HTTP/1.1 204 No Content\r\n\r\n",
            "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After:  7 \t\r\nX-Empty:\r\nX-Tab:\t\tv  v\t\r\n\r\n",
            "HTTP/1.1 503 Service Unavailable\r\nX-Utf8: caf\u{e9} \u{65e5}\r\nx-lower: a:b:c\r\n\r\n",
            "HTTP/1.1 599 x\r\n!#$%&'*+-.^_`|~09azAZ: ok\r\n\r\n",
        ]
        for text in usual { XCTAssertTrue(compare(Array(text.utf8)), text) }
        XCTAssertTrue(compare(Array(("garbage" + usual[0]).utf8), prefix: 7))
        let odd = [
            "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",       // not 1.1
            "HTTP/1.1 200 OK\nContent-Length: 0\n\n",               // bare LF
            "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n",                // obsolete folding
            "HTTP/1.1 200 OK\r\nX: a\u{7f}b\r\n\r\n",               // DEL
            "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n",                   // bare CR
            "HTTP/1.1 200 OK\r\nX : a\r\n\r\n",                     // space before the colon
            "HTTP/1.1 200 OK\r\n: a\r\n\r\n",                       // empty name
            "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
            "HTTP/1.1 600 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n", "HTTP/1.1 200 O\u{1}K\r\n\r\n",
            "HTTP/1.1 200 OK\r\nA: 1\r\n\r\r\n\r\n",
        ]
        for text in odd { compare(Array(text.utf8)) }
        // The field limit: at the limit fast, past it the general path's error.
        let fields = (0..<5).map { "X-\($0): v\r\n" }.joined()
        XCTAssertTrue(compare(Array(("HTTP/1.1 200 OK\r\n" + fields + "\r\n").utf8), maxFields: 5))
        XCTAssertFalse(compare(Array(("HTTP/1.1 200 OK\r\n" + fields + "\r\n").utf8), maxFields: 4))
    }

    func testRandomAndMutatedHeads() {
        var rng = SplitMix64(seed: 42)
        func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
        let names = ["Content-Length", "content-type", "X-A", "Retry-After", "Connection", "Set-Cookie", "a", "X_y.z~"]
        let values = ["", "0", "11", " 12 ", "\tkeep-alive", "close, keep-alive", "a b  c", "\u{e9}t\u{e9}", "x\u{7f}", "v\r", "=;,\"'"]
        let reasons = [" OK", "", " ", " Not Found", " \u{e9}", " a\tb"]
        let bytesToInsert: [UInt8] = [13, 10, 32, 9, 58, 0, 127, 0x80, 0xff, 72, 49]
        var fastHits = 0
        for _ in 0..<30_000 {
            var text = "HTTP/1.1 \(pick(["200", "204", "301", "404", "429", "500", "103", "599"]))\(pick(reasons))\r\n"
            for _ in 0..<Int(rng.next() % 8) { text += pick(names) + ":" + pick(["", " ", "  ", "\t"]) + pick(values) + pick(["", " ", "\t"]) + "\r\n" }
            text += "\r\n" + pick(["", "{\"ok\":true}", "HTTP/1.1 200 OK\r\n\r\n"])
            var bytes = Array(text.utf8)
            // Mutations: a few byte flips, insertions and deletions.
            if rng.next() % 2 == 0 {
                for _ in 0..<Int(1 + rng.next() % 3) {
                    let at = Int(rng.next() % UInt64(bytes.count))
                    switch rng.next() % 3 {
                    case 0: bytes[at] = pick(bytesToInsert)
                    case 1: bytes.insert(pick(bytesToInsert), at: at)
                    default: bytes.remove(at: at)
                    }
                }
            }
            let prefix = Int(rng.next() % 3)
            if compare(Array(repeating: 65, count: prefix) + bytes, prefix: prefix, maxFields: Int(3 + rng.next() % 6)) { fastHits += 1 }
        }
        XCTAssertGreaterThan(fastHits, 8_000, "the fast path is exercised")
    }
}
