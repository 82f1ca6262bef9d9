import DSRuntime
import XCTest

/// The RESP2 encoder and parser (docs/fleet.md), checked against the protocol's published
/// examples (https://redis.io/docs/latest/develop/reference/protocol-spec/).
final class RESPTests: XCTestCase {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    func testCommandEncodingIsAnArrayOfBulkStrings() {
        XCTAssertEqual(RESPEncoder.command(["LLEN", "mylist"]), bytes("*2\r\n$4\r\nLLEN\r\n$6\r\nmylist\r\n"))
        XCTAssertEqual(RESPEncoder.command(["SET", "k", ""]), bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"))
        XCTAssertEqual(RESPEncoder.command(["X", "é"]), bytes("*2\r\n$1\r\nX\r\n$2\r\né\r\n"), "lengths count bytes, not characters")
    }

    func testPublishedExamples() {
        let p = RESPParser()
        XCTAssertEqual(p.parse(bytes("+OK\r\n")), .value(.simple("OK"), next: 5))
        XCTAssertEqual(p.parse(bytes("-Error message\r\n")), .value(.error("Error message"), next: 16))
        XCTAssertEqual(p.parse(bytes(":1000\r\n")), .value(.integer(1000), next: 7))
        XCTAssertEqual(p.parse(bytes(":-42\r\n")), .value(.integer(-42), next: 6))
        XCTAssertEqual(p.parse(bytes("$5\r\nhello\r\n")), .value(.bulk(bytes("hello")), next: 11))
        XCTAssertEqual(p.parse(bytes("$0\r\n\r\n")), .value(.bulk([]), next: 6))
        XCTAssertEqual(p.parse(bytes("$-1\r\n")), .value(.bulk(nil), next: 5))
        XCTAssertEqual(p.parse(bytes("*-1\r\n")), .value(.array(nil), next: 5))
        XCTAssertEqual(p.parse(bytes("*0\r\n")), .value(.array([]), next: 4))
        XCTAssertEqual(p.parse(bytes("*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n+Hello\r\n-World\r\n")),
                       .value(.array([.array([.integer(1), .integer(2), .integer(3)]), .array([.simple("Hello"), .error("World")])]), next: 40))
        XCTAssertEqual(p.parse(bytes("*3\r\n$5\r\nhello\r\n$-1\r\n$5\r\nworld\r\n")),
                       .value(.array([.bulk(bytes("hello")), .bulk(nil), .bulk(bytes("world"))]), next: 31))
        // Binary-safe: a bulk string may hold CR, LF and NUL.
        XCTAssertEqual(p.parse([0x24, 0x33, 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A]), .value(.bulk([0x0D, 0x0A, 0x00]), next: 9))
    }

    func testEveryStrictPrefixIsIncompleteAndPipelinedRepliesFollow() {
        let p = RESPParser()
        let reply = bytes("*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$5\r\nevent\r\n$2\r\n{}\r\n:7\r\n")
        for k in 0..<reply.count { XCTAssertEqual(p.parse(Array(reply[0..<k])), .incomplete, "prefix \(k)") }
        let two = reply + bytes("+OK\r\n")
        guard case .value(_, let next) = p.parse(two) else { return XCTFail("no value") }
        XCTAssertEqual(p.parse(two, from: next), .value(.simple("OK"), next: two.count))
    }

    func testMalformedAndOversizedRepliesAreErrorsNotCrashes() {
        let p = RESPParser(limits: RESPLimits(maxBulkBytes: 10, maxArrayElements: 4, maxDepth: 3, maxLineBytes: 8, maxTotalElements: 100))
        for bad in ["$11\r\n", "*5\r\n", "$-2\r\n", "*-2\r\n", ":12a\r\n", ":\r\n", ":+1\r\n", ":9999999999999999999\r\n", "+a\nb\r\n", "+a\rb\r\n",
                    "$3\r\nabcd\r\n", "%1\r\n", "_\r\n", "+123456789\r\n", "*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", "+012345678"] {
            guard case .invalid = p.parse(bytes(bad)) else { return XCTFail("\(bad.debugDescription) was not refused: \(p.parse(bytes(bad)))") }
        }
        // A huge declared length is refused before anything is allocated.
        guard case .invalid = RESPParser().parse(bytes("*1048577\r\n")) else { return XCTFail("array over the limit accepted") }
        guard case .invalid = RESPParser().parse(bytes("$999999999999\r\n")) else { return XCTFail("bulk over the limit accepted") }
        XCTAssertEqual(RESPParser().parse(bytes("*1000000\r\n:1\r\n")), .incomplete, "a large array within the limits waits for its elements")
    }

    func testEncodedValuesRoundTrip() {
        let v: RESPValue = .array([.simple("OK"), .error("ERR x"), .integer(-5), .bulk(nil), .array(nil), .bulk([0, 13, 10]), .array([.integer(Int64.max / 10)])])
        let e = RESPEncoder.value(v)
        XCTAssertEqual(RESPParser().parse(e), .value(v, next: e.count))
    }

    func testStreamRepliesAndSourceURL() throws {
        let read = RESPParser().parse(bytes("*1\r\n*2\r\n$2\r\nev\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$5\r\nevent\r\n$2\r\n{}\r\n*2\r\n$3\r\n2-0\r\n*-1\r\n"))
        guard case .value(let v, _) = read else { return XCTFail("\(read)") }
        let entries = try RedisStreamProtocol.readGroup(v)
        XCTAssertEqual(entries.map(\.id), ["1-0", "2-0"])
        XCTAssertEqual(entries[0].field("event"), bytes("{}"))
        XCTAssertNil(entries[1].fields, "a deleted entry has no fields")
        XCTAssertEqual(try RedisStreamProtocol.readGroup(.array(nil)), [])
        XCTAssertThrowsError(try RedisStreamProtocol.readGroup(.integer(1)))
        XCTAssertThrowsError(try RedisStreamProtocol.readGroup(.error("NOGROUP no such group")))

        let url = try RedisSourceURL("redis://127.0.0.1:6380/my%20stream?group=g&consumer=c-1&max_pending=50&dead_letter_stream=dead")
        XCTAssertEqual([url.host, String(url.port), url.stream, url.group, url.consumer, url.deadLetterStream ?? ""], ["127.0.0.1", "6380", "my stream", "g", "c-1", "dead"])
        XCTAssertEqual(url.maxPending, 50)
        XCTAssertEqual(try RedisSourceURL("redis://[::1]/s?group=g&consumer=c").port, 6379)
        for (bad, why) in [("rediss://h/s?group=g&consumer=c", "TLS"), ("redis://h/s?consumer=c", "group"), ("redis://h/s?group=g", "consumer"),
                           ("redis://h?group=g&consumer=c", "no stream"), ("redis://h:0/s?group=g&consumer=c", "port"),
                           ("redis://h/s?group=g&consumer=c&count=0", "count"), ("redis://h/s?group=g&consumer=c&x=1", "unknown parameter"),
                           ("redis://u:p@h/s?group=g&consumer=c", "credentials"), ("http://h/s", "redis://")] {
            XCTAssertThrowsError(try RedisSourceURL(bad)) { XCTAssertTrue(($0 as? RedisSourceURL.Failure)?.message.contains(why) == true, "\(bad): \($0)") }
        }
    }
}
