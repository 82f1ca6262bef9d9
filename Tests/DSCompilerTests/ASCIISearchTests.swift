@testable import DSCompiler
import Foundation
import XCTest

/// The URL rules' byte search finds what Foundation's `range(of:)` finds (the search it
/// replaced), on ASCII text by bytes and on any other text through Foundation.
final class ASCIISearchTests: XCTestCase {
    func testFindsWhatFoundationFinds() {
        let texts = ["", "{", "{{", "}}", "a{{b}}c", "{{{x}}}", "https://api.example.com/{{a}}?q={{b}}",
                     "no marker", "://", "http:/x", "a\r\n{{b}}", "é{{x}}", "e\u{301}{{x}}", "{\u{301}{x}}",
                     "https:/\u{301}/host", "ü://ß", "{{\u{301}}}", "a b", " \u{301}x", "x \u{301}", "🙂{{🙂}}🙂", "x}}{{y"]
        for text in texts {
            for needle in ["{{", "}}", "://", " "] {
                let expected = text.range(of: needle)
                let got: Range<String.Index>?
                switch needle {
                case "{{": got = ASCIISearch.firstRange(of: "{{", in: Substring(text))
                case "}}": got = ASCIISearch.firstRange(of: "}}", in: Substring(text))
                case " ": got = ASCIISearch.firstRange(of: " ", in: Substring(text))
                default: got = ASCIISearch.firstRange(of: "://", in: Substring(text))
                }
                XCTAssertEqual(got.map { text.utf8.distance(from: text.utf8.startIndex, to: $0.lowerBound) },
                               expected.map { text.utf8.distance(from: text.utf8.startIndex, to: $0.lowerBound) }, "\(needle) in \(text.debugDescription)")
                XCTAssertEqual(got.map { text.utf8.distance(from: $0.lowerBound, to: $0.upperBound) },
                               expected.map { text.utf8.distance(from: $0.lowerBound, to: $0.upperBound) }, "\(needle) in \(text.debugDescription)")
            }
        }
        // In a slice: offsets are the slice's, as for Foundation.
        let text = "x{{a}}y{{b}}"
        let slice = text[text.index(text.startIndex, offsetBy: 6)...]
        XCTAssertEqual(ASCIISearch.firstRange(of: "{{", in: slice), slice.range(of: "{{"))
    }
}
