import DeliverySpec
import Foundation

// Release-build benchmarks: `swift run -c release dspec-bench [--quick]`.
// Each figure is reported with a baseline measured in the same run, as a ratio, so numbers
// from different machines can be compared.

// Usage: dspec-bench [--quick] [--only lint|template|render|diff|deliver|harness|schema|peers] [--calls N]
// (`--only peers --peer-dir DIR`: the dspec side of bench/run, see PeerBenchmarks.swift)
let quick = CommandLine.arguments.contains("--quick")
let only: String? = CommandLine.arguments.firstIndex(of: "--only").flatMap { i in i + 1 < CommandLine.arguments.count ? CommandLine.arguments[i + 1] : nil }
func selected(_ group: String) -> Bool { only == nil || only == group }
// `--calls N` runs each measurement exactly N times (for instruction counting under callgrind).
let fixedCalls: Int? = CommandLine.arguments.firstIndex(of: "--calls").flatMap { i in i + 1 < CommandLine.arguments.count ? Int(CommandLine.arguments[i + 1]) : nil }
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs `body` repeatedly for at least `seconds` and returns operations per second.
func measure(_ label: String, operationsPerCall: Int = 1, seconds: Double = quick ? 0.3 : 2.0, _ body: () -> Void) -> Double {
    body()  // warm up
    var calls = 0
    let start = DispatchTime.now().uptimeNanoseconds
    var elapsed = 0.0
    repeat {
        body()
        calls += 1
        elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    } while fixedCalls.map { calls < $0 } ?? (elapsed < seconds)
    let rate = Double(calls * operationsPerCall) / elapsed
    print(String(format: "  %-58@ %12.0f /s", label as NSString, rate))
    return rate
}

func loadExamples() -> [SourceFile] {
    let dir = root.appendingPathComponent("specs/examples")
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter(SpecFileDiscovery.isSpecFile).sorted()
    return names.compactMap { n in (try? Data(contentsOf: dir.appendingPathComponent(n))).map { SourceFile(path: n, bytes: [UInt8]($0)) } }
}

let examples = loadExamples()
guard !examples.isEmpty else {
    print("no example specs found under specs/examples")
    exit(2)
}
// 1,000 specs: the examples repeated, each a distinct SourceFile so no line table is reused.
let corpus: [SourceFile] = (0..<1000).map { i in
    let e = examples[i % examples.count]
    return SourceFile(path: e.path, bytes: e.bytes)
}
let corpusBytes = corpus.reduce(0) { $0 + $1.bytes.count }
print("dspec-bench (single thread; \(examples.count) example specs, corpus of \(corpus.count) specs, \(corpusBytes / 1024) KiB)")

if selected("lint") {
print("\nLint (parse + decode + all validation rules), issue #2 target: >= 5,000 specs/s")
let runner = LintRunner()
let lintRate = measure("lint 1,000 specs", operationsPerCall: corpus.count) {
    for s in corpus { _ = runner.lint(SourceFile(path: s.path, bytes: s.bytes)) }
}
let compileRate = measure("compile 1,000 specs to canonical plan bytes", operationsPerCall: corpus.count) {
    let compiler = SpecCompiler()
    for s in corpus {
        let d = DiagnosticCollector(source: s)
        _ = compiler.compile(SourceFile(path: s.path, bytes: s.bytes), diagnostics: d).plan?.canonicalJSON
    }
}
print("\nBaseline: parsing alone")
let ourParse = measure("DSJSON position-aware parse of 1,000 specs", operationsPerCall: corpus.count) {
    for s in corpus { _ = JSONParser().parse(s, diagnostics: DiagnosticCollector(source: s)) }
}
let datas = corpus.map { Data($0.bytes) }
let foundationParse = measure("Foundation JSONSerialization of 1,000 specs (no positions)", operationsPerCall: corpus.count) {
    for d in datas { _ = try? JSONSerialization.jsonObject(with: d) }
}
print(String(format: "\nRatios: lint / target = %.1fx; compile / target = %.1fx; our parse / Foundation parse = %.2fx; lint / Foundation parse = %.2fx",
             lintRate / 5000, compileRate / 5000, ourParse / foundationParse, lintRate / foundationParse))
}
if selected("template") { runTemplateBenchmarks(quick: quick) }
if selected("render") { runRenderBenchmarks(quick: quick) }
if selected("diff") { runDiffBenchmarks(quick: quick) }
if selected("deliver") { runDeliverBenchmarks(quick: quick) }
if selected("harness") { runHarnessBenchmarks(quick: quick) }
if selected("schema") { runSchemaBenchmarks(quick: quick) }
// Only on request: needs the inputs bench/run prepares.
if only == "peers" { runPeerBenchmarks() }
