import DeliverySpec
import Foundation

/// `dspec deliver SPEC|PLAN --events FILE|- ...`
enum DeliverCommand: Command {
    static let name = "deliver"
    static let summary = "Deliver events to the vendor: batching, rate limit, retries, OAuth, dead letters."
    static let help = """
    USAGE: dspec deliver SPEC|PLAN --events FILE|- [--settings S.json] [--secrets S.json]
                         [--dead-letter FILE] [--checkpoint FILE] [--dry-run [--show-secrets]]
                         [--concurrency N] [--ordering strict|none] [--format text|json]
                         [--endpoint-override http://127.0.0.1:PORT]
                         [--schema-violations dead-letter|count] [--tracking-plan SCHEMA]
           dspec deliver SPEC|PLAN --source redis://HOST:PORT/STREAM?group=G&consumer=C
                         [--exit-when-idle MS] [--shared-rate-limit redis://HOST:PORT[/NAME]]
                         [--metrics HOST:PORT] [other options as above]

    Compiles SPEC (or reads a compiled PLAN: a JSON object with a top-level
    "plan_version") and delivers every event of FILE, one JSON object per line, read as a
    stream in bounded memory. Requests are exactly those `dspec render` shows; they are
    batched, rate-limited, retried with backoff and Retry-After, and authenticated (OAuth
    tokens are fetched, cached and refreshed; a rotated refresh token is written back to
    the --secrets file) as the plan says. http:// endpoints are sent by dspec's own
    HTTP/1.1 client (headers exactly as rendered, nothing added); https:// endpoints go
    through URLSession.

    Every event ends in exactly one outcome: delivered, dead-lettered (with the status,
    the vendor's error message and the attempt count) or filtered (type, name, consent).
    On a terminal, progress (events/s, delivered, retried, dead-lettered) is shown on
    standard error; the summary goes to standard output.

    OPTIONS:
      --events FILE       Events, one JSON object per line; - reads standard input.
      --settings FILE     Setting values, a JSON object.
      --secrets FILE      Secret values, a JSON object. A rotated OAuth refresh token is
                          written back to it (atomically when it is a regular
                          file; a symbolic link is written through in place).
      --dead-letter FILE  Append dead letters to FILE as NDJSON: line, event_id, reason,
                          status, error, attempts and the event.
      --checkpoint FILE   Record acknowledged input lines in FILE (append-only, fsync'd)
                          and skip them when restarted with the same input: a killed run
                          resumes without redelivering acknowledged events. FILE is bound
                          to its input (path, size, SHA-256 of the first 64 KiB): another
                          input, or a corrupt record, is refused (exit 2). With --events -
                          from a pipe, the stream cannot be checked: resume it with the
                          same stream.
      --dry-run           Print the requests (HTTP format) instead of sending them.
                          Secret values and credentials derived from them (Basic auth,
                          bearer tokens, API keys) are shown as <redacted:NAME>.
      --show-secrets      With --dry-run, print the credentials as they would be sent.
      --concurrency N     Requests in flight at once (default 8).
      --ordering MODE     strict: send each partition's requests strictly one after
                          another, in input order, retries included; none: start them
                          in input order, let them finish in any order. Default: the
                          plan's "ordering" (none unless the spec says strict).
      --ordered           Same as --ordering strict.
      --format FORMAT     Summary as text (default) or json.
      --endpoint-override ORIGIN
                          Send every request, and OAuth token requests, to ORIGIN
                          (http://127.0.0.1:PORT; loopback hosts only) instead of the
                          host each URL names: scheme, host and port are replaced, paths
                          and queries kept. For a local receiver such as `dspec mock`.
      --schema-violations MODE
                          When the spec names a tracking plan (events.schema), every
                          selected event is validated before it is rendered. dead-letter
                          (default): an event that does not match is dead-lettered with
                          the validator's error as the reason. count: it is delivered and
                          counted in the summary. (A compiled PLAN carries no tracking
                          plan: deliver from the spec, or name one with --tracking-plan.)
      --tracking-plan SCHEMA
                          Validate every selected event against SCHEMA (a JSON Schema of
                          the whole event) instead of the spec's events.schema; works with
                          a compiled PLAN too.
      --grace-period S    After SIGINT or SIGTERM, how long the requests in flight may
                          take before they are cancelled (seconds, default 10).

    FLEET (docs/fleet.md):
      --source redis://HOST:PORT/STREAM?group=G&consumer=C
                          Read events from a Redis Streams consumer group instead of
                          --events: each entry's field "event" is one NDJSON line. The
                          group is created if missing. An entry is acknowledged (XACK)
                          only once its outcome is durable (delivered, or dead-lettered to
                          --dead-letter and/or dead_letter_stream); entries a dead worker
                          left pending are claimed after claim_idle_ms (XAUTOCLAIM); one
                          delivered more than max_deliveries times is dead-lettered as
                          poison. Parameters: count (100), block_ms (200), max_pending
                          (1000 unacknowledged entries per worker), claim_idle_ms
                          (30000), max_deliveries (5), dead_letter_stream. consumer must
                          be unique per worker. rediss:// (TLS) is not supported.
      --exit-when-idle MS End once the stream gave nothing for MS and nothing is held
                          unacknowledged (backfills, tests); otherwise run until SIGTERM.
      --shared-rate-limit redis://HOST:PORT[/NAME]
                          Enforce the spec's rate_limit (rps, burst) across every worker
                          using the same NAME (default: the spec's name) with one atomic
                          script in Redis; a 429's wait pauses every worker.
      --metrics HOST:PORT Serve Prometheus metrics on /metrics and a health check on
                          /healthz (port 0 picks one; the address is printed on standard
                          error): http_client_request_duration_seconds, in-flight
                          requests, delivered / dead-lettered / filtered / retried
                          counters, pending entries, shared rate-limit wait.

    STOPPING: SIGINT (Ctrl-C) or SIGTERM stops reading events, lets the requests in
    flight finish (at most the grace period; then they are cancelled and stay
    unacknowledged), writes the checkpoint, prints the summary and exits 130 (SIGINT)
    or 143 (SIGTERM). A second signal aborts at once. A rerun with the same --checkpoint
    delivers the rest.

    EXIT CODES:
      0  every event delivered or filtered
      1  some events were dead-lettered
      2  usage error, an unreadable input, a spec with errors, or a dead-letter or
         checkpoint write failure (the run stops at once; see --checkpoint)
      130, 143  stopped by SIGINT, SIGTERM

    EXAMPLES:
      dspec deliver specs/examples/amplitude-batch.json --events events.ndjson --secrets prod.secrets.json
      dspec deliver acme.plan.json --events - --dead-letter failed.ndjson --checkpoint acme.ckpt < events.ndjson
      dspec deliver specs/examples/github-style-webhook.json --events sample.ndjson --dry-run
    """

    static func run(_ args: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentScanner.parse(args, flags: ["--dry-run", "--ordered", "--show-secrets"],
                                               options: ["--events", "--settings", "--secrets", "--dead-letter", "--checkpoint", "--concurrency", "--format",
                                                        "--endpoint-override", "--grace-period", "--schema-violations", "--tracking-plan", "--ordering", "--source", "--exit-when-idle", "--shared-rate-limit", "--metrics"])
        } catch {
            return Console.usage(error.message, command: name)
        }
        guard parsed.positionals.count == 1 else { return Console.usage("expected exactly one SPEC or PLAN", command: name) }
        let fleet: DeliverFleet
        do { fleet = try DeliverFleet(parsed) } catch { return Console.usage(error.message, command: name) }
        guard let eventsPath = parsed.option("--events") ?? fleet.eventsPlaceholder else { return Console.usage("--events FILE is required (- for standard input)", command: name) }
        if let conflict = StandardInput.conflict([("SPEC", parsed.positionals[0]), ("--events", eventsPath)]) { return Console.usage(conflict, command: name) }
        let format = parsed.option("--format") ?? "text"
        guard ["text", "json"].contains(format) else { return Console.usage("unknown format \"\(format)\" (expected text or json)", command: name) }
        let concurrency = parsed.option("--concurrency").map { Int($0) } ?? 8
        guard let concurrency, concurrency >= 1, concurrency <= 1024 else { return Console.usage("--concurrency must be an integer from 1 to 1024", command: name) }
        let dryRun = parsed.has("--dry-run")
        var ordered: Bool?
        if let mode = parsed.option("--ordering") {
            guard ["strict", "none"].contains(mode) else { return Console.usage("unknown ordering \"\(mode)\" (expected strict or none)", command: name) }
            guard !parsed.has("--ordered") || mode == "strict" else { return Console.usage("--ordered contradicts --ordering none", command: name) }
            ordered = mode == "strict"
        } else if parsed.has("--ordered") {
            ordered = true
        }
        var endpointOverride: EndpointOverride?
        if let text = parsed.option("--endpoint-override") {
            do { endpointOverride = try EndpointOverride(text) } catch { return Console.usage(error.message, command: name) }
        }
        guard dryRun || !parsed.has("--show-secrets") else { return Console.usage("--show-secrets only applies to --dry-run", command: name) }
        let grace = parsed.option("--grace-period").map { Double($0) } ?? DeliveryStop.defaultGraceSeconds
        guard let grace, grace.isFinite, grace >= 0, grace <= 3600 else { return Console.usage("--grace-period must be a number of seconds from 0 to 3600", command: name) }

        guard let schemaMode = TrackingPlanGate.Mode(rawValue: parsed.option("--schema-violations") ?? "dead-letter") else {
            return Console.usage("--schema-violations must be dead-letter or count", command: name)
        }
        guard let (plan, contracts) = loadPlan(parsed.positionals[0]) else { return ExitCode.usage }
        let sharedRate: RedisSharedRateLimit?
        do { sharedRate = dryRun ? nil : try DeliverFleet.sharedRateLimit(parsed, plan: plan) } catch {
            Console.err("dspec deliver: \(error.message)")
            return ExitCode.usage
        }
        defer { sharedRate?.close() }
        var trackingPlan = contracts?.trackingPlan
        if let path = parsed.option("--tracking-plan") {
            do {
                trackingPlan = try TrackingPlanGate.load(path)
            } catch {
                Console.err("dspec deliver: \(error.message)")
                return ExitCode.usage
            }
        }
        let gate = trackingPlan.map { TrackingPlanGate(plan: $0, mode: schemaMode) }
        if gate == nil, parsed.option("--schema-violations") != nil {
            return Console.usage("--schema-violations needs a tracking plan (the spec's events.schema, or --tracking-plan)", command: name)
        }
        let fd: Int32 = fleet.source != nil ? -1 : eventsPath == "-" ? STDIN_FILENO : open(eventsPath, O_RDONLY)
        guard fd >= 0 || fleet.source != nil else {
            Console.err("dspec deliver: \(eventsPath): cannot open the events file")
            return ExitCode.usage
        }
        // The checkpoint is bound to the input it records (path, size, hash of the first 64 KiB).
        let input: CheckpointInput?
        do {
            input = try parsed.option("--checkpoint").map { _ throws(RuntimeFileError) in try CheckpointInput.identify(fd: fd, path: eventsPath) }
        } catch {
            Console.err("dspec deliver: \(error.message)")
            return ExitCode.usage
        }
        let setup: DeliverySetup
        do {
            setup = try DeliverySetup(plan: plan, settingsPath: parsed.option("--settings"), secretsPath: parsed.option("--secrets"),
                                      deadLetterPath: parsed.option("--dead-letter"), checkpointPath: parsed.option("--checkpoint"),
                                      checkpointInput: input, concurrency: concurrency, dryRun: dryRun, endpointOverride: endpointOverride, fleet: fleet)
        } catch {
            Console.err("dspec deliver: \(error.message)")
            return ExitCode.usage
        }
        let queue = EventInputQueue(capacity: 4096)
        let stop = DeliveryStop(grace: grace, onStop: { queue.stop() })
        fleet.source?.start(into: queue)
        let rawLines = gate == nil && Deliverer.buildsPayloadsFromLines(renderer: setup.renderer, options: DeliveryOptions())
        let reading = fleet.source != nil ? InputReadStatus() : NDJSONReader.start(fd: fd, into: queue, skip: setup.checkpoint?.acknowledged ?? LineRangeSet(), closeWhenDone: eventsPath != "-",
                                         name: eventsPath == "-" ? "standard input" : eventsPath, rawLines: rawLines)

        let printer = dryRun ? DryRunPrinter(redactor: parsed.has("--show-secrets") ? nil : setup.redactor) : nil
        // A dry run prints in input order: one request at a time.
        var options = DeliveryOptions(concurrency: dryRun ? 1 : concurrency, orderedPartitions: ordered, dryRun: dryRun)
        if let gate { options.eventCheck = { gate.check($0) } }
        options.sharedAdmission = sharedRate
        let served: (DeliveryMetrics, MetricsServer)?
        do { served = try fleet.metrics(parsed, ledger: setup.ledger, shared: sharedRate) } catch {
            Console.err("dspec deliver: \(error.message)")
            return ExitCode.usage
        }
        defer { served?.1.stop() }
        let transport: any HTTPTransport = served.map { MetricsTransport(setup.transport, metrics: $0.0) } ?? setup.transport
        let deliverer = Deliverer(renderer: setup.renderer, transport: transport, clock: SystemClock(), ledger: setup.ledger,
                                  options: options,
                                  tokens: setup.tokens, dryRunSink: printer)
        let progress = isatty(STDERR_FILENO) != 0 ? ProgressLine(ledger: setup.ledger) : nil
        let started = DispatchTime.now().uptimeNanoseconds
        let counts = runBlocking {
            // A task of its own, so the grace period's end can cancel it (and with it every
            // request in flight). Single-event requests run on the socket transport's event
            // loop thread, so a response resumes its request without a thread switch
            // (SocketHTTPTransport.taskExecutor); batches keep the shared pool, whose threads
            // build and render them in parallel.
            let executor = plan.batching.enabled ? nil : SocketHTTPTransport.taskExecutor
            let run = Task(executorPreference: executor) { await deliverer.run(queue) }
            stop.setCancel { run.cancel() }
            return await run.value
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        progress?.stop()
        printer?.flush()
        let writeFailure = setup.ledger.close()
        setup.checkpoint?.close()
        let deadLetterPath = parsed.option("--dead-letter")
        var jsonExtras = DeliveryReasons.json(setup.ledger, deadLettered: counts.deadLettered, deadLetterPath: deadLetterPath)
        if let gate { jsonExtras += [("schema_violations", .int(gate.violations)), ("schema_violations_mode", .string(gate.mode.rawValue))] }
        var summary = format == "json"
            ? jsonSummary(counts, seconds: seconds, dryRun: dryRun, stop: stop, reasons: jsonExtras)
            : textSummary(counts, seconds: seconds, dryRun: dryRun) + DeliveryReasons.text(setup.ledger, deadLettered: counts.deadLettered, deadLetterPath: deadLetterPath)
        if let gate, format != "json" {
            if gate.violations > 0 {
                summary += "tracking plan: \(Plural.count(gate.violations, "event")) did not match (\(gate.mode == .count ? "counted, delivered anyway" : "dead-lettered"))\n"
            }
        }
        if format != "json", let sig = stop.stoppedBy { summary += stoppedLine(counts, signal: sig, cutOff: stop.cutOff, checkpoint: setup.checkpoint != nil) }
        Console.out(summary)
        fleet.source?.shutdown()
        if let sourceFailure = fleet.source?.error {
            Console.err("dspec deliver: \(sourceFailure.message); the entries not acknowledged stay pending for another worker")
            return ExitCode.usage
        }
        if let readFailure = reading.error {
            Console.err("dspec deliver: I/O error: \(readFailure.message); the events before it were delivered, the rest were not read")
            return ExitCode.usage
        }
        if let writeFailure {
            Console.err("dspec deliver: I/O error: \(writeFailure.message). The run stopped; events not yet recorded are left unacknowledged, "
                        + "and a rerun with the same --checkpoint delivers or dead-letters them again.")
            return ExitCode.usage
        }
        // Exit code decided: a second signal from here on must not change it.
        if let code = stop.exitCode { return code }
        stop.finish()
        return counts.deadLettered > 0 ? ExitCode.findings : ExitCode.ok
    }

    /// Reads a compiled plan, or compiles a spec (printing its diagnostics); nil on failure.
    private static func loadPlan(_ path: String) -> (DeliveryPlan, SpecContracts?)? {
        let source: SourceFile
        do {
            source = try SourceLoader.load(path)
        } catch {
            Console.err("dspec deliver: \(error.description)")
            return nil
        }
        switch InputDocument.plan(from: source, command: name) {
        case .success(let loaded):
            return (loaded.plan, loaded.compilation?.contracts)
        case .failure(let failure):
            let reporter = TextReporter(color: Console.colorEnabled)
            for d in failure.diagnostics { Console.err(reporter.format(d, source: source)) }
            Console.err("dspec deliver: \(failure.isSpecError ? "\(path) has errors; nothing delivered" : failure.message)")
            return nil
        }
    }


    private static func textSummary(_ c: DeliveryCounts, seconds: Double, dryRun: Bool) -> String {
        var text = dryRun ? "dry run: \(c.delivered) event\(c.delivered == 1 ? "" : "s") rendered (nothing sent)" : "delivered \(c.delivered)"
        text += ", dead-lettered \(c.deadLettered), filtered \(c.filtered) of \(Plural.count(c.input - c.alreadyAcknowledged, "event"))"
        if c.alreadyAcknowledged > 0 { text += " (\(c.alreadyAcknowledged) already acknowledged by the checkpoint, skipped)" }
        if !dryRun { text += "; \(Plural.count(c.attempts, "HTTP attempt")), \(Plural.count(c.retries, "retry", "retries"))" }
        if c.isolationRequests > 0 { text += ", \(Plural.count(c.isolationRequests, "request")) to isolate rejected events (isolate_on)" }
        if c.rateLimitPauses > 0 { text += ", \(Plural.count(c.rateLimitPauses, "pause")) for the vendor's rate-limit headers" }
        text += String(format: "; %.1f s, %.0f events/s\n", seconds, Double(c.input) / max(seconds, 1e-9))
        return text
    }

    /// What a stopped run says after its summary.
    private static func stoppedLine(_ c: DeliveryCounts, signal: Int32, cutOff: Bool, checkpoint: Bool) -> String {
        var text = "stopped by \(DeliveryStop.name(signal)): input not read to the end"
        if c.interrupted > 0 {
            text += "; \(c.interrupted) event\(c.interrupted == 1 ? "" : "s") not finished when the grace period ended (not acknowledged)"
        } else if !cutOff {
            text += "; every request in flight finished"
        }
        text += checkpoint ? "; rerun with the same --checkpoint to deliver the rest\n"
                           : "; no --checkpoint was given, so a rerun starts from the first event\n"
        return text
    }

    private static func jsonSummary(_ c: DeliveryCounts, seconds: Double, dryRun: Bool, stop: DeliveryStop, reasons: [(String, JSONValue)]) -> String {
        var o = JSONObject([
            ("dry_run", .bool(dryRun)), ("input", .int(c.input)), ("already_acknowledged", .int(c.alreadyAcknowledged)),
            ("delivered", .int(c.delivered)), ("dead_lettered", .int(c.deadLettered)), ("filtered", .int(c.filtered)),
            ("attempts", .int(c.attempts)), ("retries", .int(c.retries)), ("seconds", .double((seconds * 1000).rounded() / 1000)),
            ("interrupted", .int(c.interrupted)), ("stopped_by", stop.stoppedBy.map { .string(DeliveryStop.name($0)) } ?? .null),
        ])
        // Present only when the plan's features caused them, so other summaries keep their keys.
        if c.isolationRequests > 0 { o["isolation_requests"] = .int(c.isolationRequests) }
        if c.rateLimitPauses > 0 { o["rate_limit_pauses"] = .int(c.rateLimitPauses) }
        for (key, value) in reasons { o[key] = value }
        return JSONWriter.string(.object(o)) + "\n"
    }
}

/// Everything a delivery needs, built from the plan and the command's files.
private struct DeliverySetup {
    let renderer: RequestRenderer
    let transport: AutoTransport
    let tokens: (any AccessTokenProvider)?
    let ledger: DeliveryLedger
    let checkpoint: CheckpointLog?
    /// Every secret value and derived credential, for what the run writes.
    let redactor: SecretRedactor

    struct Failure: Error { let message: String }

    init(plan: DeliveryPlan, settingsPath: String?, secretsPath: String?, deadLetterPath: String?, checkpointPath: String?,
         checkpointInput: CheckpointInput?, concurrency: Int, dryRun: Bool, endpointOverride: EndpointOverride?, fleet: DeliverFleet) throws(Failure) {
        // Settings and secrets: parse errors as file:line:col, unknown keys with "did you mean".
        func companion(_ path: String?, _ what: String) throws(Failure) -> (object: JSONObject, parsed: CompanionFile.Parsed)? {
            guard let path else { return nil }
            do { return try CompanionFile.object(path, what: "\(what) file") } catch { throw Failure(message: error.message) }
        }
        let settingsFile = try companion(settingsPath, "settings")
        let unknown = CompanionFile.undeclaredKeys(settings: settingsFile?.parsed, secrets: try companion(secretsPath, "secrets")?.parsed, plans: [plan])
        if !unknown.isEmpty { throw Failure(message: unknown.joined(separator: "\n")) }
        let settings = settingsFile?.object ?? JSONObject()
        let store: JSONFileSecretStore?
        do {
            store = try secretsPath.map { p throws(OAuthError) in try JSONFileSecretStore(path: p) }
        } catch {
            throw Failure(message: error.message)
        }
        let secrets = store?.values ?? JSONObject()
        do {
            renderer = try RequestRenderer(plan: plan, configuration: RenderConfiguration(settings: settings, secrets: secrets, endpointOverride: endpointOverride))
        } catch {
            throw Failure(message: error.message)
        }
        // The renderer's credentials cover the declared secrets; the secrets file may hold
        // more (OAuth client secrets, refresh tokens): every string in it is redacted too.
        var fileSecrets: [String: String] = [:]
        for (name, value) in secrets { if let text = value.stringValue { fileSecrets[name] = text } }
        redactor = renderer.redactor.adding(SecretRedactor(values: fileSecrets).secrets)
        transport = AutoTransport(maxConnectionsPerHost: concurrency)
        var recording: RecordingTokenProvider?
        if dryRun {
            tokens = nil
        } else {
            do {
                recording = try TokenProviderFactory.provider(for: plan, templates: CredentialTemplates(plan: plan, settings: settings, secrets: secrets),
                                                              store: store, transport: transport, clock: SystemClock(),
                                                              endpointOverride: endpointOverride).map { RecordingTokenProvider($0) }
                tokens = recording
            } catch {
                throw Failure(message: error.message)
            }
        }
        // Credentials obtained during the run: access tokens, and a rotated refresh token.
        let live: @Sendable () -> [SecretRedactor.Secret] = { [recording, store, fileSecrets] in
            var found = recording?.liveSecrets ?? []
            for (name, original) in fileSecrets {
                if let current = store?.value(of: name), current != original { found.append(SecretRedactor.Secret(name: name, value: current)) }
            }
            return found
        }
        do {
            checkpoint = try checkpointPath.map { p throws(RuntimeFileError) in try CheckpointLog(path: p, input: checkpointInput) }
            let deadLetters = try deadLetterPath.map { p throws(RuntimeFileError) in try DeadLetterFile(path: p) }
            let acknowledger: (any CheckpointSink)? = fleet.source ?? checkpoint
            ledger = DeliveryLedger(deadLetters: try fleet.deadLetterSink(file: deadLetters), checkpoint: dryRun ? nil : acknowledger, writer: LedgerWriterThread(), redactor: redactor, liveSecrets: live)
        } catch let error as RuntimeFileError {
            throw Failure(message: error.message)
        } catch let error as DeliverFleet.Failure {
            throw Failure(message: error.message)
        } catch {
            throw Failure(message: "\(error)")
        }
    }
}

/// The progress line on standard error (terminals only), redrawn every second.
private final class ProgressLine: @unchecked Sendable {
    private let timer: DispatchSourceTimer
    private let ledger: DeliveryLedger
    private var last = (time: DispatchTime.now().uptimeNanoseconds, input: 0)

    init(ledger: DeliveryLedger) {
        self.ledger = ledger
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "dspec.progress"))
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [unowned self] in draw() }
        timer.resume()
    }

    private func draw() {
        let c = ledger.snapshot
        let now = DispatchTime.now().uptimeNanoseconds
        let rate = Double(c.input - last.input) / (Double(now - last.time) / 1e9)
        last = (now, c.input)
        let line = String(format: "\r%8.0f events/s  delivered %d  retried %d  dead-lettered %d  filtered %d ", rate, c.delivered, c.retries, c.deadLettered, c.filtered)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func stop() {
        timer.cancel()
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
