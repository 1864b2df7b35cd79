// The scenario checker in a module Web Worker: self-hosted Pyodide runs the generic checker wheel
// (registered in the site-local pyodide-lock.json with its sha256) on the policy's rulebook, which
// sits beside this file. The wheel knows no policy; the rulebook is data.
//
// Protocol (plain postMessage, request ids as in Pyodide's web-worker guide):
//   worker -> page  {type: "progress", step, steps, message, loaded, total}   while booting
//                                                              (bytes of the downloads so far)
//                   {type: "ready", pyodide, python, labels, policy, ms}  once checks can run
//                                                              (labels: verdict -> words)
//                   {type: "error", error: {message}}          boot failed (no retry)
//   page -> worker  {id, type: "check", scenario}
//   worker -> page  {id, ok: true, result, json}   json = the checker's canonical JSON, result = parsed
//                   {id, ok: false, error: {message, problems}}
// The build (handbook/browser/pyodide.py) replaces the placeholders: the runtime's version
// directory, and the files the boot downloads with their sizes (for the progress in bytes).
import { loadPyodide } from "../pyodide/__PYODIDE_VERSION__/pyodide.mjs";

/** file name -> bytes: the downloads whose progress the page shows */
const DOWNLOADS = JSON.parse('__DOWNLOADS__');
const total = Object.values(DOWNLOADS).reduce((a, b) => a + b, 0);
let loaded = 0;
let step = 0;
let stepMessage = "";
let lastSent = 0;
const STEPS = 3;
function progress(nextStep, message) {
  step = nextStep;
  stepMessage = message;
  lastSent = performance.now();
  self.postMessage({ type: "progress", step, steps: STEPS, message, loaded: Math.min(loaded, total), total });
}

// Count the bytes of the runtime's downloads as they arrive: Pyodide fetches them with the
// worker's fetch(), so a counting stream in between reports progress without changing the bytes.
const realFetch = self.fetch.bind(self);
self.fetch = async (input, init) => {
  const response = await realFetch(input, init);
  const name = new URL(typeof input === "string" || input instanceof URL ? input : input.url, self.location.href).pathname
    .split("/")
    .pop();
  if (!response.ok || !response.body || !(name in DOWNLOADS)) return response;
  const counted = response.body.pipeThrough(
    new TransformStream({
      transform(chunk, controller) {
        loaded += chunk.byteLength;
        if (performance.now() - lastSent > 100) progress(step, stepMessage);
        controller.enqueue(chunk);
      },
    }),
  );
  return new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
};

// The runtime finds its own files beside pyodide.mjs; the lock file and the wheel it lists are here:
const packageBaseUrl = new URL("../pyodide/", import.meta.url).href;
const rulebookUrl = new URL("rulebook.json", import.meta.url).href;

const PY = `
import json
import policycheck
from policycheck.model import VERDICT_LABELS

_checker = policycheck.Checker.from_json(_rulebook_text, "the site's rulebook")
del _rulebook_text
_check_text = _checker.check_text
_labels = json.dumps(dict(VERDICT_LABELS))
_policy = json.dumps(_checker.policy.as_result())
`;

/** The checker wheel, as the site-local lock file lists it, fetched with the browser checking its
 *  sha256 (subresource integrity, as Pyodide's own loader does). Runs while the runtime boots. */
async function fetchWheel() {
  const lock = await (await fetch(packageBaseUrl + "pyodide-lock.json")).json();
  const entry = lock.packages.policycheck;
  const digest = entry.sha256.match(/../g).map((h) => String.fromCharCode(parseInt(h, 16))).join("");
  const response = await fetch(new URL(entry.file_name, packageBaseUrl), { integrity: `sha256-${btoa(digest)}` });
  if (!response.ok) throw new Error(`the checker wheel could not be loaded (HTTP ${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}

async function fetchRulebook() {
  const response = await fetch(rulebookUrl);
  if (!response.ok) throw new Error(`the policy's rulebook could not be loaded (HTTP ${response.status})`);
  return response.text();
}

async function boot() {
  const t0 = performance.now();
  progress(1, "Downloading");
  const wheel = fetchWheel();
  const rulebook = fetchRulebook();
  wheel.catch(() => {}); // reported when awaited below
  rulebook.catch(() => {});
  const pyodide = await loadPyodide({
    packageBaseUrl,
    lockFileURL: packageBaseUrl + "pyodide-lock.json",
    stdout: () => {},
  });
  progress(2, "Setting up");
  // Installing the already-downloaded wheel directly is ~130 ms faster than loadPackage(), whose
  // Python-side loader has to be imported first (measured).
  pyodide.unpackArchive(await wheel, "wheel");
  progress(3, "Starting");
  pyodide.globals.set("_rulebook_text", await rulebook);
  pyodide.runPython(PY);
  const run = pyodide.globals.get("_check_text");
  const python = pyodide.runPython("import sys; sys.version.split()[0]");
  const labels = JSON.parse(pyodide.globals.get("_labels"));
  const policy = JSON.parse(pyodide.globals.get("_policy"));
  self.postMessage({ type: "ready", pyodide: pyodide.version, python, labels, policy, ms: performance.now() - t0 });
  return run;
}

// Pyodide reports some failures (a wasm file that cannot be fetched or compiled) only on the
// console and then waits for ever: turn them into an error the page can show.
let failed = false;
const reportFailure = (message) => {
  if (failed) return;
  failed = true;
  self.postMessage({ type: "error", error: { message } });
};
const consoleError = console.error.bind(console);
console.error = (...args) => {
  consoleError(...args);
  const text = args.map(String).join(" ");
  if (/instantiation failed|failed to fetch|NetworkError|CompileError/i.test(text)) {
    reportFailure(`the Python runtime could not be loaded (${text.split("\n")[0]})`);
  }
};
self.addEventListener("unhandledrejection", (event) => {
  reportFailure(String(event.reason?.message ?? event.reason));
});

const ready = boot();
ready.catch((err) => reportFailure(String(err?.message ?? err)));

self.onmessage = async (event) => {
  const { id, type, scenario } = event.data ?? {};
  if (type !== "check") {
    self.postMessage({ id, ok: false, error: { message: `unknown request type ${type}`, problems: [] } });
    return;
  }
  let run;
  try {
    run = await ready;
  } catch (err) {
    self.postMessage({ id, ok: false, error: { message: "the checker could not start", problems: [] } });
    return;
  }
  try {
    const text = run(JSON.stringify(scenario ?? {}));
    if (text.startsWith("!")) self.postMessage({ id, ok: false, error: JSON.parse(text.slice(1)) });
    else self.postMessage({ id, ok: true, result: JSON.parse(text), json: text });
  } catch (err) {
    self.postMessage({ id, ok: false, error: { message: String(err?.message ?? err), problems: [] } });
  }
};
