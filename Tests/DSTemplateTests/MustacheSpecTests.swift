import DSJSON
import DSTemplate
import Foundation
import XCTest

/// The Mustache specification v1.1.3 core modules, run in text mode with mustache-compatible
/// lookup, skipping exactly what handlebars.js skips.
final class MustacheSpecTests: XCTestCase {
    static let modules = ["comments", "interpolation", "inverted", "partials", "sections"]

    /// Why a case is skipped, or nil to run it.
    static func skipReason(module: String, test: JSONValue) -> String? {
        let template = test["template"]?.stringValue ?? ""
        if template.contains("{{=") { return "delimiter changes are not supported (as in handlebars.js)" }
        if let partials = test["partials"]?.objectValue, partials.contains(where: { $0.value.stringValue?.contains("{{=") == true }) {
            return "delimiter changes are not supported (as in handlebars.js)"
        }
        if module == "partials", test["name"]?.stringValue == "Failed Lookup" {
            return "a missing partial is a compile error"
        }
        if module == "partials", test["name"]?.stringValue == "Standalone Indentation" {
            return "partial output is indented as a whole, values included (as in handlebars.js)"
        }
        return nil
    }

    /// JavaScript sees JSON numbers as doubles (`1.210` prints as `1.21`); the spec's
    /// expectations assume that, so the data is normalised the same way.
    static func javaScriptNumbers(_ v: JSONValue) -> JSONValue {
        switch v {
        case .number(let n) where !n.isIntegerLiteral:
            let d = n.doubleValue
            return .number(JSONNumber(text: d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"))
        case .array(let a): return .array(a.map(javaScriptNumbers))
        case .object(let o): return .object(JSONObject(o.map { ($0.key, javaScriptNumbers($0.value)) }))
        default: return v
        }
    }

    func testMustacheSpec() throws {
        let dir = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/mustache-spec-v1.1.3")
        guard FileManager.default.fileExists(atPath: dir.path) else {
            throw XCTSkip("mustache spec not found at \(dir.path)")
        }
        var ran = 0, passed = 0, skipped: [String] = []
        for module in Self.modules {
            let data = try Data(contentsOf: dir.appendingPathComponent("\(module).json"))
            let spec = try JSONParser().parseValue(Array(data))
            for test in spec["tests"]?.arrayValue ?? [] {
                let name = "\(module) - \(test["name"]?.stringValue ?? "?")"
                if let reason = Self.skipReason(module: module, test: test) {
                    skipped.append("\(name): \(reason)")
                    continue
                }
                ran += 1
                var partials: [String: String] = [:]
                for member in test["partials"]?.objectValue ?? JSONObject() { partials[member.key] = member.value.stringValue }
                let template = test["template"]?.stringValue ?? ""
                let expected = test["expected"]?.stringValue ?? ""
                do {
                    let compiled = try CompiledTemplate.compile(template, mode: .text, partials: partials,
                                                                options: TemplateOptions(mustacheCompatibleLookup: true))
                    let output = try compiled.render(Self.javaScriptNumbers(test["data"] ?? .null))
                    if output == expected { passed += 1 } else {
                        XCTFail("\(name)\n template: \(template.debugDescription)\n expected: \(expected.debugDescription)\n   actual: \(output.debugDescription)")
                    }
                } catch {
                    XCTFail("\(name): \(error)")
                }
            }
        }
        print("Mustache spec: \(ran) run, \(passed) passed, \(skipped.count) skipped")
        for s in skipped { print("  skipped \(s)") }
        XCTAssertEqual(ran, passed)
        XCTAssertGreaterThan(ran, 90)
    }
}
