import DeliverySpec
import Foundation

/// `dspec compile SPEC [-o PLAN]`
enum CompileCommand: Command {
    static let name = "compile"
    static let summary = "Compile a spec into its executable delivery plan (canonical JSON)."
    static let help = """
    USAGE: dspec compile SPEC [-o PLAN]

    Parses, validates and lowers SPEC into the delivery plan every other command runs
    from: canonical JSON with sorted keys, plan_version, the spec's sha256 digest, every
    default explicit and secrets only as {{@secrets.NAME}} references. The same spec gives
    byte-identical plans on every run and machine. Nothing is written if the spec has
    errors; they are printed as `dspec lint` would.

    OPTIONS:
      -o, --output PLAN   Write the plan to PLAN instead of standard output.

    EXIT CODES: 0 plan written, 1 the spec has errors, 2 usage or I/O error.
    """

    static func run(_ args: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentScanner.parse(args, flags: [], options: ["--output"], aliases: ["-o": "--output"])
        } catch {
            return Console.usage(error.message, command: name)
        }
        guard parsed.positionals.count == 1 else { return Console.usage("expected exactly one SPEC", command: name) }
        let source: SourceFile
        do {
            source = try SourceLoader.load(parsed.positionals[0])
        } catch {
            Console.err("dspec compile: \(error.description)")
            return ExitCode.usage
        }
        let kind = InputDocument.kind(of: source.bytes, path: source.path)
        if kind == .plan || kind == .suite {
            Console.err("dspec compile: \(source.path) is \(kind.phrase), not a spec; compile the spec\(kind == .plan ? " the plan was compiled from" : " the suite names")")
            return ExitCode.usage
        }
        let diagnostics = DiagnosticCollector(source: source)
        let result = SpecCompiler().compile(source, diagnostics: diagnostics, contractLoader: FileContractLoader(specPath: source.path))
        let reporter = TextReporter(color: Console.colorEnabled)
        for d in diagnostics.sorted where d.suppression == nil { Console.err(reporter.format(d, source: source)) }
        guard let plan = result.plan else {
            Console.err("dspec compile: \(source.path) has errors; no plan written")
            return ExitCode.findings
        }
        if !result.hoistedSecrets.isEmpty {
            Console.err("dspec compile: literal credentials were replaced by secret references: \(result.hoistedSecrets.joined(separator: ", ")); supply them with --secrets")
        }
        let bytes = plan.canonicalJSON
        if let output = parsed.option("--output") {
            do {
                try OutputFile.write(bytes, to: output)
            } catch {
                Console.err("dspec compile: \(error.message)")
                return ExitCode.usage
            }
        } else {
            Console.out(String(decoding: bytes, as: UTF8.self))
        }
        return ExitCode.ok
    }
}
