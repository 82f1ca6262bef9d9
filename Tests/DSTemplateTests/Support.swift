import DSJSON
import DSTemplate
import XCTest

/// Parses JSON test data; fails the test on invalid JSON.
func json(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONValue {
    do { return try JSONParser().parseValue(text) } catch {
        XCTFail("invalid test JSON: \(error)", file: file, line: line)
        return .null
    }
}

/// Compiles and renders, failing the test (and returning a marker) on any error.
func render(_ template: String, _ context: JSONValue = .object(JSONObject()), mode: TemplateMode = .text,
            data: [String: JSONValue] = [:], partials: [String: String] = [:], compat: Bool = false,
            file: StaticString = #filePath, line: UInt = #line) -> String {
    do {
        let t = try CompiledTemplate.compile(template, mode: mode, partials: partials,
                                             options: TemplateOptions(mustacheCompatibleLookup: compat))
        return try t.render(context, data: data)
    } catch {
        XCTFail("\(template): \(error)", file: file, line: line)
        return "<error: \(error)>"
    }
}

/// Asserts that compiling fails, returning the error.
@discardableResult
func compileError(_ template: String, mode: TemplateMode = .text, partials: [String: String] = [:],
                  file: StaticString = #filePath, line: UInt = #line) -> TemplateSyntaxError? {
    do {
        _ = try CompiledTemplate.compile(template, mode: mode, partials: partials)
        XCTFail("expected a compile error for \(template)", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

/// The package root, for fixtures and the shared conformance data.
let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// One ported case: template, context (JSON text), expected output.
struct Case {
    var template: String
    var context: String
    var expected: String
    var partials: [String: String] = [:]
    var data: [String: JSONValue] = [:]
    var compat = false

    init(_ template: String, _ context: String = "{}", _ expected: String, partials: [String: String] = [:],
         data: [String: JSONValue] = [:], compat: Bool = false) {
        self.template = template
        self.context = context
        self.expected = expected
        self.partials = partials
        self.data = data
        self.compat = compat
    }
}

/// Runs ported cases in text mode; returns how many ran.
@discardableResult
func check(_ cases: [Case], file: StaticString = #filePath, line: UInt = #line) -> Int {
    for c in cases {
        let output = render(c.template, json(c.context, file: file, line: line), mode: .text, data: c.data,
                            partials: c.partials, compat: c.compat, file: file, line: line)
        XCTAssertEqual(output, c.expected, "template: \(c.template.debugDescription)", file: file, line: line)
    }
    return cases.count
}
