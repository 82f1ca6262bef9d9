import DeliverySpec
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// JUnit output parses with one `testcase` per case; shards partition the case list.
final class ReportAndShardTests: XCTestCase {
    private func sampleResults() -> [CaseResult] {
        var a = CaseResult(suite: "custom-webhook", name: "happy-path")
        a.durationMs = 12
        var b = CaseResult(suite: "custom-webhook", name: "status-400 <drop> & \"quotes\"")
        b.failures = [ExpectationFailure("dead_letter", "dead letter of x differs", details: ["status: expected 400, actual 503", "bell \u{07} & <tag>"])]
        var c = CaseResult(suite: "stripe-meter-events", name: "rate-limit")
        c.durationMs = 1500
        return [a, b, c]
    }

    final class Collector: NSObject, XMLParserDelegate {
        var testcases: [[String: String]] = []
        var suites: [String] = []
        var failures: [String] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            switch name {
            case "testcase": testcases.append(attributes)
            case "testsuite": suites.append(attributes["name"] ?? "")
            case "failure": failures.append(attributes["message"] ?? "")
            default: break
            }
        }
    }

    private func parse(_ xml: String) -> (Bool, Collector) {
        let parser = XMLParser(data: Data(xml.utf8))
        let collector = Collector()
        parser.delegate = collector
        return (parser.parse(), collector)
    }

    func testJUnitParsesWithOneTestcasePerCase() {
        let (ok, c) = parse(ConformanceReport.junit(sampleResults()))
        XCTAssertTrue(ok)
        XCTAssertEqual(c.testcases.count, 3)
        XCTAssertEqual(c.testcases.map { $0["classname"] ?? "" }, ["custom-webhook", "custom-webhook", "stripe-meter-events"])
        XCTAssertEqual(c.testcases[1]["name"], "status-400 <drop> & \"quotes\"")
        XCTAssertEqual(c.testcases[2]["time"], "1.500")
        XCTAssertEqual(c.suites, ["custom-webhook", "stripe-meter-events"])
        XCTAssertEqual(c.failures, ["dead_letter: dead letter of x differs"])
    }

    func testJUnitOfARealRunParses() async throws {
        let results = try await TestSupport.run(TestSupport.example("custom-webhook.suite.json"), filter: "status-")
        let (ok, c) = parse(ConformanceReport.junit(results))
        XCTAssertTrue(ok)
        XCTAssertEqual(c.testcases.count, results.count)
        XCTAssertEqual(Set(c.testcases.compactMap { $0["name"] }), Set(results.map(\.name)))
    }

    func testJSONAndTextReports() throws {
        let results = sampleResults()
        let json = try JSONParser().parseValue(ConformanceReport.json(results))
        XCTAssertEqual(json["summary"]?["failed"], .int(1))
        XCTAssertEqual(json["cases"]?.arrayValue?.count, 3)
        XCTAssertEqual(json["cases"]?.arrayValue?[1]["failures"]?.arrayValue?.first?["expectation"], .string("dead_letter"))
        let text = ConformanceReport.text(results)
        XCTAssertTrue(text.contains("✗ custom-webhook/status-400 <drop> & \"quotes\" (0 ms, 0 requests)\n    dead_letter: dead letter of x differs\n        status: expected 400, actual 503"))
        XCTAssertTrue(text.hasSuffix("3 cases: 2 passed, 1 failed (1.512 s)\n"), text)
    }

    func testShardsPartitionTheFullCaseList() {
        let (suites, problems) = ConformanceLoader.load(TestSupport.example(""))
        XCTAssertTrue(problems.isEmpty)
        let all = CaseSelection.all(suites)
        XCTAssertGreaterThan(all.count, 50)
        XCTAssertEqual(Set(all.map(\.id)).count, all.count, "case ids are unique")
        for n in 1...4 {
            var seen: [String] = []
            var sizes: [Int] = []
            for i in 1...n {
                let part = CaseSelection.select(all, shard: CaseSelection.Shard("\(i)/\(n)"))
                sizes.append(part.count)
                seen += part.map(\.id)
            }
            XCTAssertEqual(seen.count, all.count, "N=\(n): no case runs twice")
            XCTAssertEqual(Set(seen), Set(all.map(\.id)), "N=\(n): the union is the full run")
            XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1, "N=\(n): shards are balanced")
        }
        // The same split whatever order the suites were discovered in.
        let reversed = CaseSelection.all(suites.reversed())
        XCTAssertEqual(Set(CaseSelection.select(reversed, shard: CaseSelection.Shard("2/3")).map(\.id)),
                       Set(CaseSelection.select(all, shard: CaseSelection.Shard("2/3")).map(\.id)))
    }

    func testShardAndFilterParsing() {
        XCTAssertNil(CaseSelection.Shard("0/3"))
        XCTAssertNil(CaseSelection.Shard("4/3"))
        XCTAssertNil(CaseSelection.Shard("2"))
        XCTAssertEqual(CaseSelection.Shard("2/3")?.index, 2)
        let entries = [CaseSelection.Entry(suite: 0, index: 0, id: "a/retry-after-429"), CaseSelection.Entry(suite: 0, index: 1, id: "a/happy-path")]
        XCTAssertEqual(CaseSelection.select(entries, filter: "retry").map(\.id), ["a/retry-after-429"])
    }
}
