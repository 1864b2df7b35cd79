// Run the checker wheel in Pyodide under Node on a rulebook, for many scenarios, in one process.
//
//   node tests/support/node/parity.mjs PYODIDE_DIR RULEBOOK.json SCENARIOS.jsonl > results.jsonl
//
// PYODIDE_DIR is a built site's assets/pyodide/ (the site-local pyodide-lock.json and the checker
// wheel it registers); the runtime is the npm package's, the same files the site serves; the
// rulebook is the site's own (assets/checker/rulebook.json), loaded as the worker loads it.
// Each input line is a scenario; each output line is the checker's canonical JSON result, or "!" +
// an error JSON when the scenario is refused (Checker.check_text, which the worker calls too).
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadPyodide } from "pyodide";

const dir = path.resolve(process.argv[2] ?? ".") + path.sep;
const pyodide = await loadPyodide({
  lockFileURL: dir + "pyodide-lock.json",
  packageBaseUrl: dir,
  stdout: (s) => process.stderr.write(s + "\n"),
});
await pyodide.loadPackage("policycheck", { messageCallback: () => {}, checkIntegrity: true });
pyodide.globals.set("_rulebook_text", readFileSync(process.argv[3], "utf-8"));
pyodide.runPython(`
import policycheck
_check_text = policycheck.Checker.from_json(_rulebook_text, "the site's rulebook").check_text
`);
const run = pyodide.globals.get("_check_text");
const input = readFileSync(process.argv[4], "utf-8").split("\n").filter((line) => line.trim());
const out = [];
for (const line of input) out.push(run(line));
process.stdout.write(out.join("\n") + "\n");
