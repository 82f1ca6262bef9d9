import DSCompiler
import DSPlan
import DSCore
import DSJSON
import Foundation
import XCTest

/// Structure-aware fuzzing: every example spec with values swapped for values of other
/// types, keys renamed and elements dropped must compile to diagnostics or a plan, never
/// crash (a crash fails the whole test process).
final class StructuralFuzzTests: XCTestCase {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    }

    static let replacements: [JSONValue] = [
        .null, true, false, 0, -1, 1_000_000_000_000, .double(0.5), "", "{{", "{{#if x}}", "{{@secrets.nope}}", "http://x", "5xx", "@path",
        [], [.null], ["@path": "event"], ["@batch": true], ["type": "oauth2_refresh_token"], [:], "\u{0}\r\n",
    ]

    func mutate(_ value: JSONValue, _ g: inout Generator, depth: Int = 0) -> JSONValue {
        if g.below(60) == 0 { return Self.replacements[g.below(Self.replacements.count)] }
        switch value {
        case .object(let o):
            var copy = JSONObject()
            for (k, v) in o {
                switch g.below(150) {
                case 0: continue                                  // drop the member
                case 1: copy[k + "x"] = v                         // rename it
                default: copy[k] = depth < 12 ? mutate(v, &g, depth: depth + 1) : v
                }
            }
            return .object(copy)
        case .array(let a):
            return .array(a.compactMap { g.below(60) == 0 ? nil : mutate($0, &g, depth: depth + 1) })
        default:
            return value
        }
    }

    func testMutatedExamplesNeverCrashTheCompiler() throws {
        let specs = RepositoryPaths.specs(in: RepositoryPaths.examples)
        XCTAssertFalse(specs.isEmpty)
        var g = Generator(state: 0xF022)
        var compiled = 0, rejected = 0
        for url in specs {
            let original = try JSONParser().parseValue([UInt8](Data(contentsOf: url)))
            for _ in 0..<150 {
                let text = JSONWriter.string(mutate(original, &g), style: .pretty)
                let source = SourceFile(path: "fuzz.json", text: text)
                let diagnostics = DiagnosticCollector(source: source)
                let result = SpecCompiler().compile(source, diagnostics: diagnostics)
                if result.plan != nil {
                    compiled += 1
                    // A plan that compiled must survive its own round trip.
                    XCTAssertNoThrow(try DeliveryPlan(json: JSONParser().parseValue(result.plan!.canonicalJSON)))
                } else {
                    rejected += 1
                    XCTAssertTrue(diagnostics.hasErrors, "no plan without an error")
                    XCTAssertTrue(diagnostics.diagnostics.allSatisfy { $0.location != nil || $0.code == "DS0000" }, "every finding has a position")
                }
            }
        }
        XCTAssertGreaterThan(rejected, 100)
        XCTAssertGreaterThan(compiled, 10, "some mutations stay valid")
    }
}
