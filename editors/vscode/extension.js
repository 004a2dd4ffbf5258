// Starts `async-migrate server` for Python documents and passes it the settings.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

const SECTION = "async-migrate";
let client;

function settings() {
  const config = vscode.workspace.getConfiguration(SECTION);
  const chosen = {};
  for (const key of ["select", "ignore", "offload"]) {
    const value = config.get(key);
    if (value !== null && value !== undefined) {
      chosen[key] = value;
    }
  }
  return chosen;
}

async function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration(SECTION).get("command");
  client = new LanguageClient(
    SECTION,
    "async-migrate",
    { command, args },
    {
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "untitled", language: "python" },
      ],
      initializationOptions: settings(),
    },
  );
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (client && event.affectsConfiguration(SECTION)) {
        client.sendNotification("workspace/didChangeConfiguration", { settings: settings() });
      }
    }),
  );
  await client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
