import DSCompiler
import DSCore
import XCTest

/// DS0603: a signed JSON body that a re-serialising receiver would not reproduce gets the
/// hint unless the payload asks for `"normalize": "javascript"`; writing the default
/// (`"none"`) out explicitly changes nothing (it once read as "no value" and hid the hint).
final class SignedBodyReproducibleTests: XCTestCase {
    private func codes(normalize: String?) -> [String] {
        let option = normalize.map { ", \"normalize\": \"\($0)\"" } ?? ""
        let source = SourceFile(path: "signed.json", text: """
        {"dspec": 1, "name": "signed", "secrets": {"k": {}},
         "endpoint": {"url": "https://api.example.com/e"},
         "signing": {"preset": "github", "secret": "{{@secrets.k}}"},
         "payload": {"format": "json", "template": "{ \\"event\\": \\"{{event}}\\" }"\(option)}}
        """)
        let diagnostics = DiagnosticCollector(source: source)
        _ = SpecCompiler().compile(source, diagnostics: diagnostics)
        return diagnostics.diagnostics.map(\.code)
    }

    func testHintUnlessNormalizedToJavaScript() {
        XCTAssertTrue(codes(normalize: nil).contains("DS0603"))
        XCTAssertTrue(codes(normalize: "none").contains("DS0603"), "an explicit default must not hide the hint")
        XCTAssertFalse(codes(normalize: "javascript").contains("DS0603"))
    }
}
