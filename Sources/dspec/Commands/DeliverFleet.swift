import DeliverySpec
import Foundation

/// The fleet options of `dspec deliver` (docs/fleet.md): `--source redis://...` (a Redis
/// Streams consumer group instead of `--events`) and `--exit-when-idle MS`. Kept apart from
/// DeliverCommand so the command's own flow changes only where the input is chosen.
struct DeliverFleet {
    struct Failure: Error { let message: String }

    /// The stream source, when `--source` was given.
    let source: RedisStreamSource?

    static let options: Set<String> = ["--source", "--exit-when-idle"]

    init(_ parsed: ParsedArguments) throws(Failure) {
        guard let text = parsed.option("--source") else {
            if parsed.option("--exit-when-idle") != nil { throw Failure(message: "--exit-when-idle only applies to --source") }
            source = nil
            return
        }
        if parsed.option("--events") != nil { throw Failure(message: "--source and --events are alternatives: give one") }
        if parsed.option("--checkpoint") != nil { throw Failure(message: "--checkpoint does not apply to --source: the consumer group's pending list is the checkpoint") }
        var idle: Int?
        if let ms = parsed.option("--exit-when-idle") {
            guard let n = Int(ms), n >= 0, n <= 86_400_000 else { throw Failure(message: "--exit-when-idle must be milliseconds from 0 to 86400000") }
            idle = n
        }
        let url: RedisSourceURL
        do { url = try RedisSourceURL(text) } catch { throw Failure(message: "--source \(error.message)") }
        do { source = try RedisStreamSource(url: url, exitWhenIdleMs: idle) } catch { throw Failure(message: "--source: \(error.message)") }
    }

    /// The fleet-wide rate limit of `--shared-rate-limit redis://HOST:PORT[/NAME]` (NAME
    /// defaults to the plan's name): the plan must have a rate_limit to share.
    static func sharedRateLimit(_ parsed: ParsedArguments, plan: DeliveryPlan) throws(Failure) -> RedisSharedRateLimit? {
        guard let text = parsed.option("--shared-rate-limit") else { return nil }
        guard let limit = plan.rateLimit else { throw Failure(message: "--shared-rate-limit: the spec has no rate_limit to share") }
        do { return try RedisSharedRateLimit(url: text, rps: limit.rps, burst: limit.burst, defaultName: plan.name) } catch { throw Failure(message: "--shared-rate-limit \(error.message)") }
    }

    /// `--metrics ADDR`: the metrics of this run, served on `/metrics` and `/healthz`; the
    /// bound address is printed on standard error (port 0 picks a free one).
    func metrics(_ parsed: ParsedArguments, ledger: DeliveryLedger, shared: RedisSharedRateLimit?) throws(Failure) -> (DeliveryMetrics, MetricsServer)? {
        guard let address = parsed.option("--metrics") else { return nil }
        var pending: (@Sendable () -> Int)?
        var claimed: (@Sendable () -> Int)?
        var waited: (@Sendable () -> Int64)?
        if let source {
            pending = { source.pending }
            claimed = { source.claimed }
        }
        if let shared { waited = { shared.waitedMicros.withLock { $0 } } }
        let metrics = DeliveryMetrics(ledger: ledger, pending: pending, claimed: claimed, rateWaitMicros: waited)
        let server: MetricsServer
        do throws(RedisError) { server = try MetricsServer(address: address, metrics: metrics) } catch { throw Failure(message: error.message) }
        let host = address.split(separator: ":", omittingEmptySubsequences: false).dropLast().joined(separator: ":")
        FileHandle.standardError.write(Data("dspec deliver: metrics on http://\(host.isEmpty ? "0.0.0.0" : host):\(server.port)/metrics\n".utf8))
        return (metrics, server)
    }

    /// What stands in for `--events` in messages.
    var eventsPlaceholder: String? { source.map { "\($0.url.stream)" } }

    /// The dead-letter sink: the file, then the dead-letter stream when the source names one.
    func deadLetterSink(file: (any DeadLetterSink)?) throws(Failure) -> (any DeadLetterSink)? {
        guard let source, let stream = source.url.deadLetterStream else { return file }
        do { return try RedisDeadLetterStream(source: source, stream: stream, file: file) } catch { throw Failure(message: "--source: \(error.message)") }
    }
}
