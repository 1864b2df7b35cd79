// Run the checker wheel in Pyodide under Node for many scenarios, in one process.
//
//   node tests/node/parity.mjs PYODIDE_DIR SCENARIOS.jsonl > results.jsonl
//
// PYODIDE_DIR is a built site's assets/pyodide/ (the site-local pyodide-lock.json and the checker
// wheel it registers); the runtime is the npm package's, the same files the site serves.
// Each input line is a scenario; each output line is policy5290.to_json(check(scenario)), or "!" + an error JSON when the scenario is refused.
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadPyodide } from "pyodide";

const dir = path.resolve(process.argv[2] ?? ".") + path.sep;
const pyodide = await loadPyodide({
  lockFileURL: dir + "pyodide-lock.json",
  packageBaseUrl: dir,
  stdout: (s) => process.stderr.write(s + "\n"),
});
await pyodide.loadPackage("policy5290", { messageCallback: () => {}, checkIntegrity: true });
pyodide.runPython(`
import json
import policy5290

def _policy5290_check(text):
    try:
        result = policy5290.check(json.loads(text))
    except Exception as exc:
        problems = [str(p) for p in getattr(exc, "problems", None) or [str(exc)]]
        return "!" + json.dumps({"message": str(exc), "problems": problems})
    return policy5290.to_json(result)
`);
const run = pyodide.globals.get("_policy5290_check");
const input = readFileSync(process.argv[3], "utf-8").split("\n").filter((line) => line.trim());
const out = [];
for (const line of input) out.push(run(line));
process.stdout.write(out.join("\n") + "\n");
