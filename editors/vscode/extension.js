// Starts `dspec lsp` for the JSON files of a dspec workspace (specs and their settings,
// secrets and suite companions). Not built or published from this repository: see README.md.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("dspec").get("path") || "dspec";
  const serverOptions = {
    run: { command, args: ["lsp"], transport: TransportKind.stdio },
    debug: { command, args: ["lsp"], transport: TransportKind.stdio },
  };
  const clientOptions = {
    // Specs live in specs/**; the server knows a companion by its suffix.
    documentSelector: [{ scheme: "file", language: "json", pattern: "**/specs/**/*.json" }],
  };
  client = new LanguageClient("dspec", "dspec", serverOptions, clientOptions);
  client.start();
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
