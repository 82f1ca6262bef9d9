/// The fuzz targets of fuzz/README.md: each one is a function from arbitrary bytes to the
/// list of properties those bytes violated (empty when all held). A crash (trap, ASan report)
/// is a finding by itself; a violated property is one too, and the libFuzzer harness
/// (fuzz/Targets/harness.swift) aborts on it so libFuzzer saves the input.
///
/// The same functions replay the committed corpora and every reproducer in fuzz/regressions
/// under XCTest (Tests/DSFuzzTests), so a crash found once stays a regression test.
/// Nothing here is part of the library product.
public struct FuzzTarget: Sendable {
    /// The name used by `fuzz/run TARGET` and the corpus folder `fuzz/corpus/TARGET`.
    public let name: String
    /// What the target feeds and what it checks.
    public let summary: String
    private let body: @Sendable ([UInt8], inout [String]) -> Void
    private let knownDefect: @Sendable ([UInt8]) -> String?

    init(_ name: String, _ summary: String, _ body: @escaping @Sendable ([UInt8], inout [String]) -> Void,
         knownDefect: @escaping @Sendable ([UInt8]) -> String? = { _ in nil }) {
        self.name = name
        self.summary = summary
        self.body = body
        self.knownDefect = knownDefect
    }

    /// The open defect (issue and number) `data` would trigger, if it matches the shape of a
    /// known, already-reported finding. `fuzz/run` with `FUZZ_SKIP_KNOWN=1` skips such inputs so
    /// fuzzing can go on past a finding that another change fixes; the default is to run them.
    public func knownDefect(in data: [UInt8]) -> String? { knownDefect(data) }

    /// Runs one input; returns the violated properties (empty when every property held).
    public func run(_ data: [UInt8]) -> [String] {
        var violations: [String] = []
        body(data, &violations)
        return violations
    }

    /// Every target, in the order `fuzz/run all` runs them.
    public static let all: [FuzzTarget] = [
        FuzzTarget("json", "JSONParser over any bytes; parse/parseValue agree; every writer style round-trips; the EventLine scan (C) agrees with its Swift reference and the parser", JSONTarget.run),
        FuzzTarget("spec", "the lint pipeline: SpecCompiler (parse, decode, rules, lowering) and TextReporter; a plan round-trips through canonical JSON and DeliveryPlan(json:)", SpecTarget.run),
        FuzzTarget("template", "CompiledTemplate compile and render in every mode; header mode never emits CR, LF or NUL", TemplateTarget.run),
        FuzzTarget("mapping", "CompiledMapping check, compile and evaluate", MappingTarget.run),
        FuzzTarget("encoders", "PercentEncoding (query, form) and FormBodyEncoder: only allowed bytes, decode gives the input back", EncodersTarget.run),
        FuzzTarget("plan", "DeliveryPlan(json:) round-trips; a bundle {plan, settings, secrets, events} renders requests", PlanTarget.run),
        FuzzTarget("mock-request", "the mock's incremental HTTP request parser; byte-at-a-time and whole-buffer parsing agree", MockRequestTarget.run),
        FuzzTarget("response", "the socket client's response parser (status line, headers, Content-Length, chunked, close-delimited)", ResponseTarget.run),
        FuzzTarget("resp", "the Redis RESP2 reply parser: total, prefixes incomplete, values re-encode to the bytes consumed", RESPTarget.run),
        FuzzTarget("retry-after", "RetryAfter.parse (delay-seconds and the three HTTP-date forms): never negative", RetryAfterTarget.run),
        FuzzTarget("rate-limit", "rate-limit headers (reset in seconds / epoch s / epoch ms, remaining, IETF RateLimit and RateLimit-Policy Structured Fields): a pause within (0, max_ms], deterministic, never negative", RateLimitTarget.run),
        FuzzTarget("openapi", "OpenAPIContract extraction of every operation (by operationId and by method + path) builds a contract or throws, never traps; each contract checks a request deterministically", OpenAPITarget.run),
    ]

    /// The target called `name`, if any.
    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// Splits fuzz input at its first NUL byte: (before, after), after empty when there is none.
/// Two-part targets (template + event, mapping + event) use it, since NUL is invalid in
/// JSON and rare in templates.
func splitAtNUL(_ data: [UInt8]) -> ([UInt8], [UInt8]?) {
    guard let i = data.firstIndex(of: 0) else { return (data, nil) }
    return (Array(data[..<i]), Array(data[(i + 1)...]))
}
