import DeliverySpec
import Foundation

/// `dspec lsp`
enum LspCommand: Command {
    static let name = "lsp"
    static let summary = "Run the language server (LSP 3.17 over stdio) for editors."
    static let help = """
    USAGE: dspec lsp [--stdio]

    Speaks the Language Server Protocol (3.17, JSON-RPC 2.0 with Content-Length framing) on
    standard input and output, for editors: VS Code (editors/vscode/), Neovim (vim.lsp.start,
    see README), or any LSP client. Specs get the diagnostics `dspec lint` reports (same codes,
    ranges, hints and "did you mean"), on open and shortly after each change; settings and
    secrets files get JSON errors and keys the spec does not declare. Also: code actions (apply
    the suggestion, add a lint suppression with a reason placeholder), completion (spec keys
    from specs/schema, @settings / @secrets names, event fields and helpers inside {{ }}, rule
    codes in suppressions), hover (field documentation, rule text, a template's rendering for
    the first sample event with secrets redacted) and go to definition of @secrets.x / @settings.y.
    Logs go to standard error.

    OPTIONS:
      --stdio   Accepted for clients that pass it (stdio is the only transport).

    EXIT CODES:
      0  the client sent shutdown then exit
      1  the client exited without shutdown, or the input ended
      2  usage error
    """

    static func run(_ args: [String]) -> Int32 {
        let parsed: ParsedArguments
        do {
            parsed = try ArgumentScanner.parse(args, flags: ["--stdio"], options: [])
        } catch {
            return Console.usage(error.message, command: name)
        }
        guard parsed.positionals.isEmpty else { return Console.usage("unexpected argument \"\(parsed.positionals[0])\"", command: name) }
        return LanguageServerStdio().run()
    }
}
