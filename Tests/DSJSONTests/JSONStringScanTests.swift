import DSCore
@testable import DSJSON
import Foundation
import XCTest

/// The parser scans string content eight bytes at a time (`jsonStringSpecialBytes`) up to the
/// first quote, backslash or control character. Checked against byte-at-a-time references: the
/// word test on chosen and random words, and whole string tokens (plain, non-ASCII, invalid
/// UTF-8, escapes, control characters, unterminated) at every length and offset around the
/// 8-byte blocks, decoded value or error offset alike.
final class JSONStringScanTests: XCTestCase {
    /// An error offset, as a `Result` failure.
    private struct Offset: Error, Equatable { var value: Int }

    private func firstSpecial(_ w: UInt64) -> Int? {
        (0..<8).first { i in
            let b = UInt8(truncatingIfNeeded: w >> (UInt64(i) * 8))
            return b == 0x22 || b == 0x5C || b < 0x20
        }
    }

    func testWordTestFindsTheFirstSpecialByte() {
        func check(_ w: UInt64) {
            let special = jsonStringSpecialBytes(w)
            if let first = firstSpecial(w) {
                XCTAssertNotEqual(special, 0, String(w, radix: 16))
                XCTAssertEqual(special.trailingZeroBitCount / 8, first, String(w, radix: 16))
                XCTAssertEqual(special.trailingZeroBitCount % 8, 7, String(w, radix: 16))
            } else {
                XCTAssertEqual(special, 0, String(w, radix: 16))
            }
        }
        let interesting: [UInt8] = [0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0x9F, 0xA2, 0xDC, 0xFF]
        var rng = DSCore.SplitMix64(seed: 0x5CA7)
        for _ in 0..<200_000 {
            var w: UInt64 = 0
            for i in 0..<8 {
                let b = rng.next() % 3 == 0 ? interesting[Int(rng.next() % UInt64(interesting.count))] : UInt8(truncatingIfNeeded: rng.next())
                w |= UInt64(b) << (UInt64(i) * 8)
            }
            check(w)
        }
        for b in interesting { for i in 0..<8 { check(UInt64(b) << (UInt64(i) * 8) | (0x4141_4141_4141_4141 & ~(0xFF << (UInt64(i) * 8)))) } }
    }

    /// A string token decoded byte by byte: the value, or the offset of the first error
    /// (a control character or bad escape where it is met, else invalid UTF-8 at the first
    /// bad byte once the token is closed, else unterminated at the opening quote).
    private func reference(_ bytes: [UInt8]) -> Result<String, Offset> {
        var out: [UInt8] = []
        var i = 1
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x22 {
                let raw = Array(bytes[1..<i])
                if raw.contains(where: { $0 >= 0x80 }), String(validating: raw, as: UTF8.self) == nil {
                    return .failure(Offset(value: 1 + Self.firstInvalid(raw)))
                }
                return .success(String(decoding: out, as: UTF8.self))
            }
            if b < 0x20 { return .failure(Offset(value: i)) }
            if b == 0x5C {
                guard i + 1 < bytes.count else { return .failure(Offset(value: 0)) }
                switch bytes[i + 1] {
                case 0x22: out.append(0x22)
                case 0x5C: out.append(0x5C)
                case 0x2F: out.append(0x2F)
                case 0x6E: out.append(0x0A)
                case 0x75:
                    guard i + 5 < bytes.count, let v = UInt8(String(decoding: bytes[(i + 2)...(i + 5)], as: UTF8.self), radix: 16) else { return .failure(Offset(value: i)) }
                    out.append(v)
                    i += 4
                default: return .failure(Offset(value: i))
                }
                i += 2
                continue
            }
            out.append(b)
            i += 1
        }
        return .failure(Offset(value: 0))
    }

    /// Offset of the first byte that makes `raw` invalid UTF-8 (as the parser reports it).
    private static func firstInvalid(_ raw: [UInt8]) -> Int {
        var i = 0
        while i < raw.count {
            let b0 = raw[i]
            if b0 < 0x80 { i += 1; continue }
            var need = 0, minScalar: UInt32 = 0, scalar: UInt32 = 0
            switch b0 {
            case 0xC2...0xDF: need = 1; scalar = UInt32(b0 & 0x1F); minScalar = 0x80
            case 0xE0...0xEF: need = 2; scalar = UInt32(b0 & 0x0F); minScalar = 0x800
            case 0xF0...0xF4: need = 3; scalar = UInt32(b0 & 0x07); minScalar = 0x10000
            default: return i
            }
            if i + need >= raw.count { return i }
            for k in 1...need {
                guard raw[i + k] & 0xC0 == 0x80 else { return i + k }
                scalar = scalar << 6 | UInt32(raw[i + k] & 0x3F)
            }
            if scalar < minScalar || scalar > 0x10FFFF || (scalar >= 0xD800 && scalar <= 0xDFFF) { return i }
            i += need + 1
        }
        return raw.count
    }

    private func check(_ token: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        let expected = reference(token)
        let got: Result<String, Offset>
        do {
            let value = try JSONParser().parseValue(token)
            got = .success(value.stringValue ?? "<not a string>")
        } catch {
            got = .failure(Offset(value: error.offset))
        }
        switch (expected, got) {
        case (.success(let a), .success(let b)): XCTAssertEqual(b, a, "\(token)", file: file, line: line)
        case (.failure(let a), .failure(let b)): XCTAssertEqual(b.value, a.value, "\(token)", file: file, line: line)
        default: XCTFail("expected \(expected), got \(got) for \(token)", file: file, line: line)
        }
    }

    func testStringTokensAgreeWithTheByteReference() {
        let pieces: [[UInt8]] = [[0x61], [0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47], [0x20], [0x7E], Array("é".utf8), Array("😀".utf8), Array("\u{2028}".utf8),
                                 [0x5C, 0x22], [0x5C, 0x5C], [0x5C, 0x2F], [0x5C, 0x6E], Array("\\u0041".utf8), [0x01], [0x1F], [0x0A], [0x7F],
                                 [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x80], [0x5C, 0x71]]
        var rng = DSCore.SplitMix64(seed: 0x0057_21A6)
        // Plain runs of every length around the 8-byte blocks, with one special piece at every offset.
        for length in 0..<34 {
            let plain = [UInt8](repeating: 0x61, count: length)
            check([0x22] + plain + [0x22])
            check([0x22] + plain)
            for at in 0...length {
                for special in pieces where special.count <= 6 {
                    check([0x22] + plain[..<at] + special + plain[at...] + [0x22])
                }
            }
        }
        for _ in 0..<20_000 {
            var token: [UInt8] = [0x22]
            for _ in 0..<Int(rng.next() % 14) {
                let piece = rng.next() % 2 == 0 ? pieces[Int(rng.next() % 4)] : pieces[Int(rng.next() % UInt64(pieces.count))]
                token += piece
            }
            if rng.next() % 10 != 0 { token.append(0x22) }
            check(token)
        }
    }
}
