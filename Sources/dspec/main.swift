import DeliverySpec
import Foundation

/// Every command, in the order `dspec --help` lists them.
let commands: [any Command.Type] = [
    LintCommand.self, CompileCommand.self, RenderCommand.self, DeliverCommand.self, TestCommand.self, MockCommand.self,
    DiffCommand.self, TemplateCommand.self, RulesCommand.self, SchemaCommand.self, LspCommand.self,
]

let version = "dspec \(toolVersion)"

@MainActor func topLevelHelp() -> String {
    var text = """
    dspec: compile, lint, render and test Delivery Specs.

    USAGE: dspec COMMAND [ARGS...]

    COMMANDS:

    """
    for c in commands { text += "  \(c.name.padding(10))  \(c.summary)\n" }
    text += """
      help        Show help for a command: dspec help COMMAND.

    OPTIONS:
      -h, --help     Show this help.
      --version      Print the version.

    Exit codes (all commands): 0 success, 1 findings (errors, drift, failures), 2 usage or I/O error.

    """
    return text
}

@MainActor func main() -> Int32 {
    var args = Array(CommandLine.arguments.dropFirst())
    guard let first = args.first else {
        Console.err(topLevelHelp())
        return ExitCode.usage
    }
    args.removeFirst()
    switch first {
    case "-h", "--help":
        Console.out(topLevelHelp())
        return ExitCode.ok
    case "--version", "version":
        Console.out(version + "\n")
        return ExitCode.ok
    case "help":
        guard let name = args.first else {
            Console.out(topLevelHelp())
            return ExitCode.ok
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            Console.err("dspec: unknown command \"\(name)\"")
            return ExitCode.usage
        }
        Console.out(command.help + "\n")
        return ExitCode.ok
    default:
        guard let command = commands.first(where: { $0.name == first }) else {
            var message = "dspec: unknown command \"\(first)\""
            if let s = Suggestions.closest(to: first, in: commands.map { $0.name }) { message += "; did you mean \"\(s)\"?" }
            Console.err(message + "\nRun 'dspec --help' for the list of commands.")
            return ExitCode.usage
        }
        // Help only before `--`: after it, `-h` is a positional (a file named -h).
        let beforeSeparator = args.prefix { $0 != "--" }
        if beforeSeparator.contains("--help") || beforeSeparator.contains("-h") {
            Console.out(command.help + "\n")
            return ExitCode.ok
        }
        return command.run(args)
    }
}

exit(main())
