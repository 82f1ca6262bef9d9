import DeliverySpec
import Foundation

/// End-to-end throughput of the conformance harness: the real runtime rendering, signing and
/// sending over URLSession to the in-process mock on loopback, the mock parsing, checking and
/// journaling, and the harness checking the ledger afterwards. Measured on the example spec
/// without a rate limit or batching (GA4: one event per request, API key in the query), so
/// the figure is requests per second of the machinery, not of a vendor's token bucket.
/// Run from the repository root (it reads specs/examples).
func runHarnessBenchmarks(quick: Bool) {
    print("\nConformance harness (end to end over loopback)")
    let (suites, problems) = ConformanceLoader.load("specs/examples/ga4-measurement-protocol.json")
    guard problems.isEmpty, var suite = suites.first else {
        print("  skipped: cannot load specs/examples/ga4-measurement-protocol.json (run from the repository root)")
        return
    }
    let count = quick ? 500 : 4000
    var expect = CaseExpectations()
    expect.requests = count...count
    expect.delivered = .all
    expect.auth = true
    suite.cases = [ConformanceCase(name: "throughput", events: .generated(count: count), expect: expect, concurrency: 8)]
    let runner: ConformanceRunner
    do { runner = try ConformanceRunner() } catch {
        print("  skipped: \(error)")
        return
    }
    defer { runner.stop() }
    let prepared = [suite]
    for round in 0..<(quick ? 1 : 3) {
        let entries = CaseSelection.all(prepared)
        let started = DispatchTime.now().uptimeNanoseconds
        let results = runBlocking { await runner.run(entries, of: prepared) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        guard let result = results.first else { continue }
        let status = result.passed ? "all checks passed" : "FAILED: \(result.failures.map(\.text).joined(separator: "; "))"
        print(String(format: "  round %d: %d requests in %.2f s = %.0f requests/s (concurrency 8; %@)", round + 1, result.requests, seconds,
                     Double(result.requests) / seconds, status))
    }
}
