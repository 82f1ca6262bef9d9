import DSCore
@testable import DSCompiler
import DSJSON
@testable import DSSpec
import Foundation
import XCTest

/// `ResponseRulesReachable.shadowed` keeps one table of the rule covering each status code and
/// reads the patterns range by range; it must agree with the general form (every code of a
/// rule listed, two 600-entry arrays) on chosen and random rule lists.
final class ResponseRulesShadowedTests: XCTestCase {
    /// The rule's check before the table: the reference.
    static func reference(_ rules: [StatusRule]) -> [(index: Int, earlier: Int)] {
        var out: [(index: Int, earlier: Int)] = []
        var covered = [Bool](repeating: false, count: 600)
        var coverer = [Int](repeating: -1, count: 600)
        for (index, rule) in rules.enumerated() {
            let codes = rule.status.flatMap { Array($0.value.codes) }
            if !codes.isEmpty, codes.allSatisfy({ covered[$0] }) { out.append((index, coverer[codes[0]])) }
            if rule.bodyContains == nil && rule.bodyPointer == nil {
                for c in codes where !covered[c] {
                    covered[c] = true
                    coverer[c] = index
                }
            }
        }
        return out
    }

    static func rule(_ patterns: [StatusPattern], conditional: Int = 0) -> StatusRule {
        let at = Located((), span: SourceSpan(start: 0, end: 1), pointer: "/response/rules/0")
        return StatusRule(node: at, status: patterns.map { Located($0, span: SourceSpan(start: 0, end: 1), pointer: "/s") },
                          bodyContains: conditional == 1 ? Located("x", span: SourceSpan(start: 0, end: 1), pointer: "/b") : nil,
                          bodyPointer: conditional == 2 ? Located("/x", span: SourceSpan(start: 0, end: 1), pointer: "/p") : nil,
                          bodyEquals: nil, outcome: nil)
    }

    func assertAgrees(_ rules: [StatusRule], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let fast = ResponseRulesReachable.shadowed(rules)
        let slow = Self.reference(rules)
        XCTAssertEqual(fast.map(\.index), slow.map(\.index), label, file: file, line: line)
        XCTAssertEqual(fast.map(\.earlier), slow.map(\.earlier), label, file: file, line: line)
    }

    func testChosenRules() {
        let cases: [[StatusRule]] = [
            [],
            [Self.rule([])],
            [Self.rule([.range(400...499)]), Self.rule([.code(429)])],
            [Self.rule([.code(429)]), Self.rule([.range(400...499)])],
            [Self.rule([.range(400...499)], conditional: 1), Self.rule([.code(429)])],
            [Self.rule([.range(400...499)], conditional: 2), Self.rule([.code(429)]), Self.rule([.code(429)])],
            [Self.rule([.range(500...504)]), Self.rule([.range(505...599)]), Self.rule([.range(500...599)])],
            [Self.rule([.code(100), .code(599)]), Self.rule([.code(599), .code(100)]), Self.rule([])],
            [Self.rule([.range(200...299)]), Self.rule([.range(200...299), .code(300)]), Self.rule([.code(300)])],
        ]
        for (i, rules) in cases.enumerated() { assertAgrees(rules, "case \(i)") }
        XCTAssertEqual(ResponseRulesReachable.shadowed(cases[2]).map(\.index), [1])
        XCTAssertEqual(ResponseRulesReachable.shadowed(cases[6]).map(\.earlier), [0])
    }

    func testRandomRules() {
        var rng = SplitMix64(seed: 0x7265_6163)
        var shadowed = 0
        for n in 0..<5_000 {
            let rules = (0..<Int.random(in: 0...7, using: &rng)).map { _ -> StatusRule in
                let patterns = (0..<Int.random(in: 0...3, using: &rng)).map { _ -> StatusPattern in
                    switch Int.random(in: 0...2, using: &rng) {
                    case 0: return .code(Int.random(in: 100...599, using: &rng))
                    case 1: let c = Int.random(in: 1...5, using: &rng) * 100; return .range(c...(c + 99))
                    default:
                        let a = Int.random(in: 100...599, using: &rng)
                        return .range(a...min(599, a + Int.random(in: 0...40, using: &rng)))
                    }
                }
                return Self.rule(patterns, conditional: Int.random(in: 0...4, using: &rng))
            }
            assertAgrees(rules, "random list \(n)")
            shadowed += Self.reference(rules).count
        }
        XCTAssertGreaterThan(shadowed, 500)
    }
}

/// `ObjectReader.isAllowed` skips allowed words by their ASCII first byte, read once per
/// object; it must agree with `allowed.contains(key)` on chosen and random keys, including
/// canonically equivalent spellings and non-ASCII first bytes.
final class ObjectReaderAllowedKeyTests: XCTestCase {
    func agrees(_ key: String, _ allowed: [String]) -> Bool {
        let member = JSONMember(key: key, keySpan: SourceSpan(start: 0, end: 1), value: JSONNode(kind: .null, span: SourceSpan(start: 0, end: 1)))
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(allowed.count, 1)) { firsts in
            for (i, w) in allowed.enumerated() { firsts[i] = JSONMember.asciiFirstByte(w) }
            return ObjectReader.isAllowed(member, allowed, firsts: firsts) == allowed.contains(key)
        }
    }

    func testChosenKeys() {
        let allowed = ["type", "required", "default", "enum", "description", "é", "K", "e\u{301}x"]
        for key in ["type", "types", "typ", "", "\u{212A}", "K", "e\u{301}", "é", "\u{00E9}x", "ex", "description", "enum", "x-type", "Type"] {
            XCTAssertTrue(agrees(key, allowed), key.debugDescription)
            XCTAssertTrue(agrees(key, []), key.debugDescription)
        }
    }

    func testRandomKeys() {
        var rng = SplitMix64(seed: 0x6b65_7973)
        let pieces = ["t", "y", "p", "e", "\u{301}", "é", "K", "\u{212A}", "_", "a", "d", "s", "x-", "$"]
        var hits = 0
        for _ in 0..<20_000 {
            func word() -> String { (0..<Int.random(in: 0...4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined() }
            let allowed = (0..<Int.random(in: 0...8, using: &rng)).map { _ in word() }
            let key = Bool.random(using: &rng) && !allowed.isEmpty ? allowed.randomElement(using: &rng)! : word()
            XCTAssertTrue(agrees(key, allowed), "\(key.debugDescription) in \(allowed)")
            if allowed.contains(key) { hits += 1 }
        }
        XCTAssertGreaterThan(hits, 5_000)
    }
}

/// A compiler that does not keep the IR (`keepsSpec = false`, as lint runs) reports the same
/// findings, builds the same plan and resolves the same contracts (tracking plan and request
/// contract, loaded from the spec's directory) as one that does.
final class CompilerKeepsSpecTests: XCTestCase {
    /// The tracking plan as text: each schema's path and document, in order.
    private func describe(_ plan: TrackingPlan?) -> String? {
        guard let plan else { return nil }
        func one(_ s: EventSchema?) -> String {
            guard let s else { return "-" }
            return s.path + " " + String(decoding: JSONWriter.bytes(s.value, style: .compact), as: UTF8.self)
        }
        return (["all " + one(plan.all), "fallback " + one(plan.fallback)] + plan.byEvent.map { $0.name + " " + one($0.schema) }).joined(separator: "\n")
    }

    func testFindingsAndPlansDoNotDependOnKeepingTheSpec() throws {
        let dirs = ["specs/examples", "specs/invalid"].map { RepositoryPaths.root.appendingPathComponent($0).path }
        var compiled = 0, trackingPlans = 0, requestContracts = 0
        for dir in dirs {
            let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") && $0.split(separator: ".").count == 2 }.sorted()
            for name in names {
                let source = try SourceFile(path: dir + "/" + name, bytes: Array(Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))))
                var lean = SpecCompiler()
                lean.keepsSpec = false
                let a = DiagnosticCollector(source: source), b = DiagnosticCollector(source: source)
                let loader = DirectoryContractLoader(directory: URL(fileURLWithPath: dir))
                let kept = SpecCompiler().compile(source, diagnostics: a, contractLoader: loader)
                let dropped = lean.compile(source, diagnostics: b, contractLoader: loader)
                XCTAssertEqual(a.sorted.map { "\($0.code) \($0.severity) \($0.message) \(String(describing: $0.location)) \($0.pointer ?? "") \($0.hint ?? "") \($0.suggestion ?? "") \($0.suppression ?? "")" }, b.sorted.map { "\($0.code) \($0.severity) \($0.message) \(String(describing: $0.location)) \($0.pointer ?? "") \($0.hint ?? "") \($0.suggestion ?? "") \($0.suppression ?? "")" }, name)
                XCTAssertEqual(kept.plan?.canonicalJSON, dropped.plan?.canonicalJSON, name)
                XCTAssertEqual(describe(kept.contracts.trackingPlan), describe(dropped.contracts.trackingPlan), name)
                // The request contract (its type lives in DSSchema, which this target does not import).
                let request = [kept.contracts.request, dropped.contracts.request].map { contract in
                    contract.map { "\($0.origin) \($0.bodyRequired) \($0.media.count) \($0.parameters.count) " + ($0.bodySchema.map { String(decoding: JSONWriter.bytes($0, style: .compact), as: UTF8.self) } ?? "-") }
                }
                XCTAssertEqual(request[0], request[1], name)
                XCTAssertEqual(kept.contracts.failed, dropped.contracts.failed, name)
                if kept.contracts.trackingPlan != nil { trackingPlans += 1 }
                if kept.contracts.request != nil { requestContracts += 1 }
                XCTAssertNil(dropped.spec, name)
                if kept.spec != nil { compiled += 1 }
            }
        }
        XCTAssertGreaterThan(compiled, 20)
        // The comparison covers loaded contracts (mixpanel-import's tracking plan, the vendor
        // contracts of specs/examples/contracts), not only their absence.
        XCTAssertGreaterThan(trackingPlans, 0)
        XCTAssertGreaterThan(requestContracts, 0)
    }
}

/// `JSONPointer.isValid` scans the bytes; it must agree with `tokens(_:) != nil` on chosen and
/// random pointers (escapes, combining marks after `/` and `~`, non-ASCII).
final class JSONPointerValidityTests: XCTestCase {
    func testChosenPointers() {
        let cases = ["", "/", "//", "a", "a/b", "/a~", "/a~0", "/a~1", "/a~2", "/~01", "/~", "~0", "/a/~1b/~0c", "/é~0", "/~\u{301}", "/\u{301}", "/a~0~", "/a b", "/~~0"]
        for p in cases { XCTAssertEqual(JSONPointer.isValid(p), JSONPointer.tokens(p) != nil, p.debugDescription) }
    }

    func testRandomPointers() {
        var rng = SplitMix64(seed: 0x7074_7273)
        let pieces = ["/", "~", "0", "1", "2", "a", "é", "\u{301}", " ", "~0", "~1", "."]
        var valid = 0
        for _ in 0..<20_000 {
            let p = (0..<Int.random(in: 0...7, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            let fast = JSONPointer.isValid(p)
            XCTAssertEqual(fast, JSONPointer.tokens(p) != nil, p.debugDescription)
            if fast { valid += 1 }
        }
        XCTAssertGreaterThan(valid, 2_000)
        XCTAssertLessThan(valid, 18_000)
    }
}
