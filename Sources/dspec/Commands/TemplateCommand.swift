import DeliverySpec
import Foundation

/// `dspec template FILE --data DATA.json`
enum TemplateCommand: Command {
    static let name = "template"
    static let summary = "Render one Handlebars template with given data (for trying things out)."
    static let help = """
    USAGE: dspec template FILE --data DATA.json [--mode json|text|plain|header|url] [--partials DIR]

    Compiles FILE (or standard input with -) and renders it with DATA as the root
    context. Data variables come from DATA's "@settings" / "@secrets" members if present.
    In json mode (the default) a hole inside a JSON string is string-escaped and a hole in
    value position writes a JSON value (missing -> null).

    OPTIONS:
      --data FILE        JSON file with the data to render (required).
      --mode MODE        json (default), text (HTML-escaped like Handlebars), plain, header or url.
      --partials DIR     Directory of partials: each NAME.hbs file becomes partial NAME.

    EXIT CODES: 0 rendered, 1 template error, 2 usage or I/O error.
    """

    static func run(_ args: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentScanner.parse(args, flags: [], options: ["--data", "--mode", "--partials"])
        } catch {
            return Console.usage(error.message, command: name)
        }
        guard parsed.positionals.count == 1 else { return Console.usage("expected exactly one template FILE (or -)", command: name) }
        guard let dataPath = parsed.option("--data") else { return Console.usage("--data is required", command: name) }
        if let conflict = StandardInput.conflict([("FILE", parsed.positionals[0]), ("--data", dataPath)]) { return Console.usage(conflict, command: name) }
        let modes: [String: TemplateMode] = ["json": .json, "text": .text, "plain": .plain, "header": .header, "url": .url]
        guard let mode = modes[parsed.option("--mode") ?? "json"] else { return Console.usage("unknown mode \"\(parsed.option("--mode")!)\"", command: name) }
        let templateSource: SourceFile
        let data: JSONValue
        do {
            templateSource = try SourceLoader.load(parsed.positionals[0])
            let dataSource = try SourceLoader.load(dataPath)
            data = try JSONParser().parseValue(dataSource.bytes)
        } catch let error as SourceLoader.Failure {
            Console.err("dspec template: \(error.description)")
            return ExitCode.usage
        } catch {
            Console.err("dspec template: \(dataPath): invalid JSON: \(error)")
            return ExitCode.usage
        }
        var partials: [String: String] = [:]
        if let dir = parsed.option("--partials") {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
                Console.err("dspec template: cannot read partials directory \(dir)")
                return ExitCode.usage
            }
            for file in names.sorted() where file.hasSuffix(".hbs") {
                guard let text = try? String(contentsOfFile: dir + "/" + file, encoding: .utf8) else { continue }
                partials[String(file.dropLast(4))] = text
            }
        }
        let text = String(decoding: templateSource.bytes, as: UTF8.self)
        do {
            let compiled = try CompiledTemplate.compile(text, mode: mode, partials: partials)
            var variables: [String: JSONValue] = [:]
            if case .object(let o) = data {
                for (k, v) in o where k.hasPrefix("@") { variables[String(k.dropFirst())] = v }
            }
            Console.out(try compiled.render(data, data: variables))
            return ExitCode.ok
        } catch let error as TemplateSyntaxError {
            let loc = templateSource.location(ofOffset: error.offset)
            Console.err("\(templateSource.path):\(loc.line):\(loc.column): error: \(error.message)")
            return ExitCode.findings
        } catch {
            Console.err("dspec template: \(error)")
            return ExitCode.findings
        }
    }
}
