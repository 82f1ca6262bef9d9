import DSCore
import DSMock

/// Runs cases on several ``ConformanceRunner``s at once, each with its own mock vendor on its
/// own loopback port, so a case never sees another's requests. Most of a conformance run is
/// real waiting (Retry-After, token buckets, backoff), so cases overlap well even on few cores.
///
/// Reports stay deterministic: results come back in the order of the entries, and `progress`
/// is called in that order too (a finished case waits for the ones before it), whatever order
/// the cases finish in. Each case's own figures (jitter seeds, plan copies) do not depend on
/// which runner or when it ran.
public final class ConformancePool: Sendable {
    /// The runners; `runners.count` cases run at once.
    public let runners: [ConformanceRunner]

    /// The default number of cases run at once by `dspec test`.
    public static let defaultJobs = 4

    /// Starts `jobs` runners (at least one), each with its mock vendor (recording traces for
    /// the HTML report when `recordTraces`), at time scale `timeScale`
    /// (``ConformanceTimeScale``; 1 runs every wait in real time).
    public init(jobs: Int, recordTraces: Bool = false, timeScale: Double = 1) throws(MockServerError) {
        var runners: [ConformanceRunner] = []
        do {
            for _ in 0..<max(1, jobs) { runners.append(try ConformanceRunner(recordTraces: recordTraces, timeScale: timeScale)) }
        } catch {
            for r in runners { r.stop() }
            throw error
        }
        self.runners = runners
    }

    /// Stops every mock.
    public func stop() { for r in runners { r.stop() } }

    /// Runs `entries` of `suites`, up to `runners.count` at once; returns the results in
    /// entry order and reports each to `progress` in entry order.
    public func run(_ entries: [CaseSelection.Entry], of suites: [ConformanceSuite],
                    progress: (@Sendable (CaseResult) -> Void)? = nil) async -> [CaseResult] {
        struct State {
            var next = 0
            var results: [CaseResult?]
            var reported = 0
        }
        let state = Locked(State(results: Array(repeating: nil, count: entries.count)))
        await withTaskGroup(of: Void.self) { group in
            for runner in runners {
                group.addTask {
                    while true {
                        let i: Int? = state.withLock { s in
                            guard s.next < entries.count else { return nil }
                            defer { s.next += 1 }
                            return s.next
                        }
                        guard let i else { return }
                        let suite = suites[entries[i].suite]
                        let result = await runner.run(suite.cases[entries[i].index], of: suite)
                        // Report the finished prefix in entry order, under the lock so two
                        // runners never report out of order.
                        state.withLock { s in
                            s.results[i] = result
                            while s.reported < s.results.count, let r = s.results[s.reported] {
                                progress?(r)
                                s.reported += 1
                            }
                        }
                    }
                }
            }
        }
        return state.withLock { $0.results.compactMap { $0 } }
    }
}
