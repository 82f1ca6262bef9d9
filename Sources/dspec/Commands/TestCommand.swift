import DeliverySpec
import Foundation

/// `dspec test SUITE|SPEC|DIR ...`
enum TestCommand: Command {
    static let name = "test"
    static let summary = "Run conformance suites: the real runtime against the bundled mock vendor."
    static let help = """
    USAGE: dspec test SUITE|SPEC|DIR [--format text|json|junit|github|html] [--filter TEXT] [--shard I/N]
                                     [--list] [-o FILE] [--quiet] [--jobs N]
                                     [--time-scale S]

    Delivers events with the real runtime (batching, rate limit, retries, OAuth, ledger)
    over real HTTP to an in-process mock vendor on loopback, and checks what the vendor
    received and what the runtime decided: golden fixtures, request counts, batch limits,
    signatures and auth (verified independently by the mock), retries and their spacing,
    Retry-After, dropped versus retried statuses, parsed error messages, the token-bucket
    bound, OAuth token refresh, and that every event is delivered, dead-lettered or
    filtered exactly once.

    SUITE is a NAME.suite.json file (format: docs/conformance.md). A SPEC runs the standard
    battery generated from the spec alone (plus its NAME.suite.json when there is one). A
    DIR runs every suite in it and the standard battery of every spec no suite names.
    Backoff waits are shortened in the plan copy each case runs with, and every wait of
    the runtime lasts a tenth of its nominal length (--time-scale). SPEC may be - (standard
    input): the standard battery, without companions.

    OPTIONS:
      --format FORMAT   text (default), json, junit (one testcase per case), github
                        (workflow annotations for failed expectations) or html (one
                        self-contained page: verdicts, expected and actual requests side by
                        side, the responses and a timeline of every attempt; use with -o).
      --filter TEXT     Only cases whose id (SUITE/CASE) contains TEXT; none is an error
                        that lists the nearest case ids.
      --shard I/N       Only the I-th of N deterministic shards (round-robin over the
                        sorted case ids): N runners cover every case exactly once.
      --list            Print the selected case ids, one per line, without running them.
      -o, --output FILE Write the report to FILE instead of standard output.
      --quiet           No progress on standard error.
      --jobs N          Cases run at once, each against its own mock vendor (default 4;
                        most of a case is waiting). Reports are the same for any N:
                        cases are reported in order.
      --time-scale S    Real time per nominal time for the runtime's waits (default 0.1:
                        a Retry-After of 1 s lasts 100 ms; 1 = real time, the tightest
                        backoff upper bound). The runtime
                        runs on a scaled clock, the plan is unchanged, and timing checks
                        compare nominal durations. Cases that script response delays or
                        token lifetimes, and batching cases, run at 1; a fast rate limit
                        raises the scale (docs/conformance.md, "Time scale"). From
                        0.01 to 1.

    EXIT CODES:
      0  every selected case passed
      1  a case failed, or a spec has errors
      2  usage error (a --filter that matches no case too), or an unreadable suite, spec
         or companion file

    EXAMPLES:
      dspec test specs/examples
      dspec test specs/examples/custom-webhook.suite.json --filter retry
      dspec test specs --format junit -o conformance.xml --shard 2/4
    """

    static func run(_ args: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentScanner.parse(args, flags: ["--list", "--quiet"], options: ["--format", "--filter", "--shard", "--output", "--jobs", "--time-scale"],
                                               aliases: ["-o": "--output"])
        } catch {
            return Console.usage(error.message, command: name)
        }
        guard parsed.positionals.count == 1 else { return Console.usage("expected exactly one SUITE, SPEC or DIR", command: name) }
        guard let format = ConformanceReport.Format(rawValue: parsed.option("--format") ?? "text") else {
            return Console.usage("unknown format \"\(parsed.option("--format") ?? "")\" (expected text, json, junit, github or html)", command: name)
        }
        var shard: CaseSelection.Shard?
        if let text = parsed.option("--shard") {
            guard let s = CaseSelection.Shard(text) else { return Console.usage("--shard expects I/N with 1 <= I <= N, e.g. 2/4", command: name) }
            shard = s
        }
        let (suites, problems) = ConformanceLoader.load(parsed.positionals[0])
        for p in problems { Console.err("dspec test: \(p.description)") }
        if problems.contains(where: { !$0.isSpecError }) { return ExitCode.usage }
        let entries = CaseSelection.select(CaseSelection.all(suites), filter: parsed.option("--filter"), shard: shard)
        if let filter = parsed.option("--filter"), CaseSelection.select(CaseSelection.all(suites), filter: filter).isEmpty, !suites.isEmpty {
            // Running nothing and passing would hide a typo: name the nearest cases instead.
            let nearest = CaseSelection.nearest(to: filter, in: CaseSelection.all(suites))
            return Console.usage("--filter \"\(filter)\" matches no case; nearest: \(nearest.joined(separator: ", "))", command: name)
        }
        if parsed.has("--list") {
            Console.out(entries.map { $0.id + "\n" }.joined())
            return problems.isEmpty ? ExitCode.ok : ExitCode.findings
        }
        var jobs = ConformancePool.defaultJobs
        if let text = parsed.option("--jobs") {
            guard let n = Int(text), n >= 1, n <= 64 else { return Console.usage("--jobs expects a whole number from 1 to 64", command: name) }
            jobs = n
        }
        var timeScale = ConformanceTimeScale.defaultScale
        if let text = parsed.option("--time-scale") {
            guard let s = Double(text), s.isFinite, s >= ConformanceTimeScale.minimumScale, s <= 1 else {
                return Console.usage("--time-scale expects a number from 0.01 to 1 (1 = real time)", command: name)
            }
            timeScale = s
        }
        let runner: ConformancePool
        do {
            runner = try ConformancePool(jobs: min(jobs, max(1, entries.count)), recordTraces: format == .html, timeScale: timeScale)
        } catch {
            Console.err("dspec test: cannot start the mock vendor: \(error)")
            return ExitCode.usage
        }
        defer { runner.stop() }
        let streamText = format == .text && parsed.option("--output") == nil
        let progress = !parsed.has("--quiet") && !streamText && isatty(STDERR_FILENO) != 0
        let color = Console.colorEnabled
        let results = runBlocking {
            await runner.run(entries, of: suites) { result in
                if streamText { Console.out(ConformanceReport.text([result], color: color).split(separator: "\n").dropLast().joined(separator: "\n") + "\n") }
                if progress { Console.err("\(result.passed ? "✓" : "✗") \(result.id)") }
            }
        }
        let report = streamText ? ConformanceReport.summary(results) + "\n" : ConformanceReport.render(results, format: format, color: color && format == .text)
        if let output = parsed.option("--output") {
            do {
                try OutputFile.write(Array(report.utf8), to: output)
            } catch {
                Console.err("dspec test: cannot write the report: \(error.message)")
                return ExitCode.usage
            }
        } else {
            Console.out(report)
        }
        if !problems.isEmpty {
            // Say where the report is read why the run fails although every case passed.
            let n = problems.count
            let line = "\(n) spec\(n == 1 ? "" : "s") not run because \(n == 1 ? "it has" : "they have") errors (details on standard error): "
                + problems.map(\.path).joined(separator: ", ") + "\n"
            if format == .text && parsed.option("--output") == nil { Console.out(line) } else { Console.err("dspec test: " + line) }
        }
        return results.allSatisfy(\.passed) && problems.isEmpty ? ExitCode.ok : ExitCode.findings
    }
}
