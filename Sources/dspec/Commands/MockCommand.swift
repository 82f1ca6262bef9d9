import DeliverySpec
import Foundation

/// `dspec mock [--scenario FILE] [--port N] [--plan SPEC|PLAN] [--secrets S.json]`
enum MockCommand: Command {
    static let name = "mock"
    static let summary = "Run the mock vendor server: scripted responses, request journal, independent checks."
    static let help = """
    USAGE: dspec mock [--scenario FILE] [--port N] [--host ADDR] [--plan SPEC|PLAN]
                      [--secrets S.json] [--settings S.json] [--base-url URL] [--quiet]

    Runs an HTTP/1.1 server on loopback that answers as SCENARIO scripts it: routes by
    method and path, response sequences (429 with Retry-After, then 500, then 200), fixed
    and seeded random delays, faults (connection reset, empty or malformed response, stall)
    and per-batch partial-failure bodies. The scenario format is in docs/mock-server.md.

    With --plan, every request is also checked independently against the plan with the
    server's own copy of the secrets: bearer, basic or API-key credentials, the HMAC
    signature of any signing scheme, and for OAuth plans a token endpoint at the plan's
    token_url path that issues expiring access tokens (refresh tokens rotate when the plan
    says so; service-account assertions are verified with the key file's public key).
    Requests without a live token get 401.

    The bound address is printed on standard output (http://127.0.0.1:PORT); one line per
    request goes to standard error: method, target, status or fault, and check results.
    SIGINT or SIGTERM stops the server.

    OPTIONS:
      --scenario FILE   Scenario JSON (default: every request is answered 200 with {}).
      --port N          Port to listen on (default 0: a free port, printed at start).
      --host ADDR       IPv4 address to bind (default 127.0.0.1).
      --plan SPEC|PLAN  A spec (compiled on the fly) or a compiled plan, for the checks.
      --secrets FILE    Secret values for the checks (default: NAME.secrets.json next to SPEC).
      --settings FILE   Setting values for the checks (default: NAME.settings.json next to SPEC).
      --base-url URL    Scheme and host the client signs @url with (default http://HOST-HEADER).
      --quiet           Do not log requests.

    EXIT CODES: 0 stopped by a signal, 1 the spec has errors, 2 usage or I/O error.

    EXAMPLES:
      dspec mock --plan specs/examples/github-style-webhook.json
      dspec mock --scenario retry.json --port 8080
      dspec mock --scenario ok.json --plan specs/examples/github-style-webhook.json
    """

    static func run(_ args: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentScanner.parse(args, flags: ["--quiet"],
                                               options: ["--scenario", "--port", "--host", "--plan", "--secrets", "--settings", "--base-url"])
        } catch {
            return Console.usage(error.message, command: name)
        }
        guard parsed.positionals.isEmpty else { return Console.usage("unexpected argument \(parsed.positionals[0])", command: name) }
        let scenarioPath = parsed.option("--scenario")
        if let conflict = StandardInput.conflict([("--scenario", scenarioPath), ("--plan", parsed.option("--plan"))]) { return Console.usage(conflict, command: name) }
        guard let port = Int(parsed.option("--port") ?? "0"), (0...65535).contains(port) else {
            return Console.usage("--port expects a number 0-65535", command: name)
        }
        let scenario: MockScenario
        do {
            // Parsed with positions first, so a syntax error is reported as file:line:col.
            let text = try scenarioPath.map { p throws(CompanionFile.Failure) in String(decoding: try CompanionFile.parse(p).source.bytes, as: UTF8.self) }
            scenario = try MockScenario(json: text ?? everyRequest200)
        } catch let error as CompanionFile.Failure {
            Console.err("dspec mock: \(error.message)")
            return ExitCode.usage
        } catch {
            Console.err("dspec mock: \(scenarioPath ?? "default scenario"): \(error)")
            return ExitCode.usage
        }
        var verifier: MockVerifier?
        if let planPath = parsed.option("--plan") {
            switch loadVerifier(planPath, parsed) {
            case .success(let v): verifier = v
            case .failure(let exit): return exit.code
            }
        }
        let redactor = verifier?.redactor ?? SecretRedactor()
        let log: (@Sendable (MockJournalEntry) -> Void)? = parsed.has("--quiet") ? nil : { @Sendable entry in MockCommand.logLine(entry, redactor) }
        // Nothing reads the journal of a standalone server (requests are logged as they come and
        // counted at the end), so it keeps only the last few: a long or heavy run stays small.
        let configuration = MockServerConfiguration(host: parsed.option("--host") ?? "127.0.0.1", port: port, journalLimit: 1024, onRequest: log)
        // Block the stop signals before any server thread exists, so every thread inherits
        // the mask and sigwait below is the only place they are delivered.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let server: MockServer
        do {
            server = try MockServer(configuration: configuration, scenario: scenario, verifier: verifier)
        } catch {
            Console.err("dspec mock: \(error)")
            return ExitCode.usage
        }
        Console.out("\(server.baseURL)\n")
        if let verifier {
            for note in verifier.notes { Console.err("dspec mock: not checked: \(note)") }
            if let oauth = server.tokenAuthority?.configuration { Console.err("dspec mock: token endpoint at \(oauth.path)") }
        }
        var received: Int32 = 0
        sigwait(&signals, &received)
        server.stop()
        Console.err("dspec mock: stopped (\(received == SIGINT ? "SIGINT" : "SIGTERM")) after \(Plural.count(server.requestCount, "request"))")
        return ExitCode.ok
    }

    private struct Exit: Error { let code: Int32 }

    /// The scenario without --scenario: any method and path gets 200 with an empty object.
    static let everyRequest200 = #"{"name": "every-request-200", "routes": [{"name": "any", "responses": [{"status": 200, "body": {}}]}]}"#

    /// Compiles a spec (or reads a compiled plan) and its secrets into a verifier.
    private static func loadVerifier(_ path: String, _ parsed: ParsedArguments) -> Result<MockVerifier, Exit> {
        let source: SourceFile
        do {
            source = try SourceLoader.load(path)
        } catch {
            Console.err("dspec mock: \(error.description)")
            return .failure(Exit(code: ExitCode.usage))
        }
        let plan: DeliveryPlan
        switch InputDocument.plan(from: source, command: name) {
        case .success(let loaded):
            plan = loaded.plan
        case .failure(let failure):
            let reporter = TextReporter(color: Console.colorEnabled)
            for d in failure.diagnostics { Console.err(reporter.format(d, source: source)) }
            Console.err("dspec mock: \(failure.isSpecError ? "\(path) has errors" : failure.message)")
            return .failure(Exit(code: failure.isSpecError ? ExitCode.findings : ExitCode.usage))
        }
        func companion(_ option: String, _ suffix: String) -> Result<JSONObject, Exit> {
            let explicit = parsed.option(option)
            let file = explicit ?? SpecFileDiscovery.companion(of: path, suffix: suffix)
            guard explicit != nil || FileManager.default.fileExists(atPath: file) else { return .success(JSONObject()) }
            do {
                let read = try CompanionFile.object(file, what: suffix == ".secrets.json" ? "secrets file" : "settings file")
                let unknown = suffix == ".secrets.json" ? CompanionFile.undeclaredKeys(settings: nil, secrets: read.parsed, plans: [plan])
                    : CompanionFile.undeclaredKeys(settings: read.parsed, secrets: nil, plans: [plan])
                if !unknown.isEmpty {
                    for line in unknown { Console.err("dspec mock: \(line)") }
                    return .failure(Exit(code: ExitCode.usage))
                }
                return .success(read.object)
            } catch {
                Console.err("dspec mock: \(error.message)")
                return .failure(Exit(code: ExitCode.usage))
            }
        }
        let secrets: JSONObject, settings: JSONObject
        switch (companion("--secrets", ".secrets.json"), companion("--settings", ".settings.json")) {
        case (.success(let a), .success(let b)): (secrets, settings) = (a, b)
        case (.failure(let e), _), (_, .failure(let e)): return .failure(e)
        }
        var secretValues: [String: String] = [:]
        for (k, v) in secrets { if let s = v.stringValue { secretValues[k] = s } }
        var settingValues: [String: JSONValue] = [:]
        for (k, v) in settings { settingValues[k] = v }
        return .success(MockVerifier(plan: plan, secrets: secretValues, settings: settingValues,
                                     options: MockVerifierOptions(publicBaseURL: parsed.option("--base-url"))))
    }

    /// `POST /v1/events -> 429 [auth.bearer ok, signing.signature FAILED: ...]`, with every
    /// secret the server knows (a query-string API key, say) shown as `<redacted:NAME>`.
    private static func logLine(_ e: MockJournalEntry, _ redactor: SecretRedactor) {
        var line = "\(e.request.method) \(e.request.target) -> \(e.outcome)"
        if e.delayMs > 0 { line += " after \(e.delayMs) ms" }
        if !e.checks.isEmpty { line += " [" + e.checks.map(\.description).joined(separator: "; ") + "]" }
        Console.err(redactor.redact(line))
    }
}
