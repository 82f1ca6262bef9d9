import DeliverySpec
import Foundation

/// `dspec schema validate SCHEMA INSTANCE...`
enum SchemaCommand: Command {
    static let name = "schema"
    static let summary = "Validate JSON or NDJSON instances against a JSON Schema (draft 2020-12)."
    static let help = """
    USAGE: dspec schema validate SCHEMA INSTANCE... [--format text|json|sarif|github|junit]
                                 [--ndjson] [--assert-formats] [--quiet]

    Compiles SCHEMA (JSON Schema draft 2020-12; references to other files resolve relative
    to it, never over the network) and checks every INSTANCE against it with dspec's own
    validator, the one that checks tracking plans and vendor contracts. Each failure is
    reported like a lint finding (rule DS1006) at the file:line:col of the instance value
    that fails, with its instance pointer, the reason, and the schema keyword in the hint.

    An INSTANCE is one JSON document, or one document per line when its name ends in
    .ndjson or .jsonl (or with --ndjson); - reads standard input.

    OPTIONS:
      --format FORMAT   text (default), json, sarif, github or junit, as for dspec lint.
      --ndjson          Read every INSTANCE as NDJSON.
      --assert-formats  Treat "format" as an assertion (date-time, email, uuid, ...);
                        by default it is an annotation, as draft 2020-12 says.
      --quiet           Print nothing when every instance is valid (text format).

    EXIT CODES:
      0  every instance is valid
      1  some instance is invalid (or not JSON)
      2  usage error, an unreadable schema or instance, or a schema that does not compile

    EXAMPLES:
      dspec schema validate plan.schema.json specs/examples/acme.events.ndjson
      dspec schema validate request.schema.json body.json --format json
    """

    static func run(_ args: [String]) -> Int32 {
        guard let sub = args.first else { return Console.usage("expected a subcommand: validate", command: name) }
        guard sub == "validate" else { return Console.usage("unknown subcommand \"\(sub)\" (expected validate)", command: name) }
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentScanner.parse(Array(args.dropFirst()), flags: ["--ndjson", "--assert-formats", "--quiet"], options: ["--format"])
        } catch {
            return Console.usage(error.message, command: name)
        }
        let format = parsed.option("--format") ?? "text"
        guard ["text", "json", "sarif", "github", "junit"].contains(format) else {
            return Console.usage("unknown format \"\(format)\" (expected text, json, sarif, github or junit)", command: name)
        }
        guard parsed.positionals.count >= 2 else { return Console.usage("expected a SCHEMA and at least one INSTANCE", command: name) }
        let runner: SchemaValidationRunner
        do {
            runner = try SchemaValidationRunner(schemaPath: parsed.positionals[0], formatAssertion: parsed.has("--assert-formats"))
        } catch {
            Console.err("dspec schema: \(error.message)")
            return ExitCode.usage
        }
        let instances = Array(parsed.positionals.dropFirst())
        if instances.filter({ $0 == "-" }).count > 1 { return Console.usage("standard input (-) can be read only once", command: name) }
        let results = instances.map { runner.validate($0, ndjson: parsed.has("--ndjson") ? true : nil) }
        let active = results.flatMap(\.diagnostics)
        switch format {
        case "json": Console.out(JSONReporter().format(results))
        case "sarif": Console.out(SARIFReporter(toolVersion: toolVersion, sourceRoot: FileManager.default.currentDirectoryPath).format(results))
        case "github": Console.out(GitHubAnnotationReporter().format(results))
        case "junit": Console.out(JUnitReporter().format(results))
        default:
            if !(parsed.has("--quiet") && active.isEmpty) { Console.out(TextReporter(color: Console.colorEnabled).format(results)) }
        }
        if active.contains(where: { $0.code == CompilerRules.unreadable.code }) { return ExitCode.usage }
        return active.contains { $0.severity == .error } ? ExitCode.findings : ExitCode.ok
    }
}
