@testable import DSCompiler
import XCTest

/// `URLParts` parses all-ASCII URL templates on bytes; it must agree with the Character
/// parse it replaces (kept here as the reference), on chosen and on random templates.
final class URLPartsTests: XCTestCase {
    private func reference(_ template: String) -> (scheme: String, host: String?)? {
        guard let colon = ASCIISearch.firstRange(of: "://", in: Substring(template)) else { return nil }
        let scheme = template[template.startIndex..<colon.lowerBound].lowercased()
        let hostPart = template[colon.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if ASCIISearch.firstRange(of: "{{", in: hostPart) != nil { return (scheme, nil) }
        var h = String(hostPart)
        if let at = h.lastIndex(of: "@") { h = String(h[h.index(after: at)...]) }
        if h.hasPrefix("[") {
            h = String(h.prefix { $0 != "]" }) + "]"
        } else if let c = h.lastIndex(of: ":") {
            h = String(h[..<c])
        }
        return (scheme, h.lowercased())
    }

    private func assertSame(_ t: String, file: StaticString = #filePath, line: UInt = #line) {
        let parts = URLParts(t)
        let expected = reference(t)
        XCTAssertEqual(parts?.scheme, expected?.scheme, t.debugDescription, file: file, line: line)
        XCTAssertEqual(parts?.host, expected?.host, t.debugDescription, file: file, line: line)
        XCTAssertEqual(parts == nil, expected == nil, t.debugDescription, file: file, line: line)
    }

    func testChosenTemplates() {
        for t in ["https://api.Example.com/v1", "HTTP://LOCALHOST:8080/x", "http://user:pw@127.0.0.1:9/", "https://[::1]:443/a",
                  "https://[FE80::1", "https://{{@settings.host}}/v1", "{{{@settings.base}}}/v1", "https://", "://x", "", "x:/",
                  "https://a@b@c.com?q", "https://h#frag", "https://h:", "https://a{b}.com/{{x}}", "https://\r\nhost/",
                  "mailto:x", "https://é.com/", "https://ÉX.com", "https://a.com/é", "ftp://h/:://", "https://h\u{301}/"] {
            assertSame(t)
        }
    }

    func testRandomTemplates() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("hH:/?#@[]{}.1:/AZaz \r\n-".unicodeScalars) + ["é", "\u{301}"]
        for _ in 0..<5000 {
            var t = Bool.random(using: &rng) ? "https://" : ""
            for _ in 0..<Int.random(in: 0...14, using: &rng) { t.unicodeScalars.append(alphabet.randomElement(using: &rng)!) }
            assertSame(t)
        }
    }
}
