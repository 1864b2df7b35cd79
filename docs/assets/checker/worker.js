// The scenario checker in a module Web Worker: self-hosted Pyodide runs the generic checker wheel
// (registered in the site-local pyodide-lock.json with its sha256) on the policy's rulebook, which
// sits beside this file. The wheel knows no policy; the rulebook is data.
//
// Two ways to start, chosen by the page (the worker's name: "snapshot", "normal", or "auto": time
// the link on the first download, needed either way, and restore the snapshot if the link is fast):
//   snapshot  restore a memory snapshot of Pyodide taken at build time with the checker already
//             started (handbook/browser/snapshot.py): no Python boot, no import. Checked by
//             subresource integrity while it downloads, and its inputs checked after; on any
//             failure the worker boots normally instead, and says why.
//   normal    boot Pyodide, install the wheel, start the checker on the rulebook.
//
// Protocol (plain postMessage, request ids as in Pyodide's web-worker guide):
//   worker -> page  {type: "progress", step, steps, message, loaded, total}   while booting
//                                                              (bytes of the downloads so far)
//                   {type: "ready", pyodide, python, labels, policy, ms, boot}  once checks can run
//                                      (labels: verdict -> words; boot: {way, fallback} as it ran)
//                   {type: "error", error: {message}}          boot failed (no retry)
//   page -> worker  {id, type: "check", scenario}
//   worker -> page  {id, ok: true, result, json}   json = the checker's canonical JSON, result = parsed
//                   {id, ok: false, error: {message, problems}}
// The build (handbook/browser/pyodide.py) fills in the placeholders: the runtime's version
// directory, the files each way downloads with their sizes, the snapshot, the Python that starts
// the checker.
import { loadPyodide, version } from "../pyodide/__PYODIDE_VERSION__/pyodide.mjs";

/** way -> file name -> bytes: the downloads whose progress the page shows */
const DOWNLOADS = __DOWNLOADS__;
/** {file, integrity, inputs}: the build's snapshot, beside this file */
const SNAPSHOT = __SNAPSHOT__;
/** the Python that starts the checker (the snapshot was taken right after it) */
const START = __START__;

const asked = self.name;
let downloads = DOWNLOADS.normal;
let total = 0;
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
function expect(way) {
  downloads = DOWNLOADS[way];
  total = Object.values(downloads).reduce((a, b) => a + b, 0);
  loaded = 0;
}

// Count the bytes of the runtime's downloads as they arrive: Pyodide fetches them with the
// worker's fetch(), so a counting stream in between reports progress without changing the bytes.
// A download already under way (see linkIsFast) is handed over instead of fetched again.
const realFetch = self.fetch.bind(self);
const underWay = new Map(); // url -> Response
self.fetch = async (input, init) => {
  const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url, self.location.href).href;
  const response = underWay.get(url) ?? (await realFetch(input, init));
  underWay.delete(url);
  const name = new URL(typeof input === "string" || input instanceof URL ? input : input.url, self.location.href).pathname
    .split("/")
    .pop();
  if (!response.ok || !response.body || !(name in downloads)) return response;
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
const lockFileURL = packageBaseUrl + "pyodide-lock.json";
const rulebookUrl = new URL("rulebook.json", import.meta.url).href;

/** The checker wheel, as the site-local lock file lists it, fetched with the browser checking its
 *  sha256 (subresource integrity, as Pyodide's own loader does). Runs while the runtime boots. */
async function fetchWheel() {
  const lock = await (await fetch(lockFileURL)).json();
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

/** The snapshot costs 6 MB more to download than it saves on a slow link: restore it when the first
 *  megabyte of the runtime (needed either way; its download then goes on for Pyodide) comes at this
 *  rate or faster, in megabits a second of the decoded bytes (a host that gzips the runtime, as this
 *  site's does, sends about 2.7 times fewer: this is about 20 Mbps on the wire). */
const FAST_LINK_MBPS = 55;
const PROBE_BYTES = 1_000_000;

async function linkIsFast() {
  const url = new URL(`../pyodide/${version}/pyodide.asm.wasm`, import.meta.url).href;
  const response = await realFetch(url);
  if (!response.ok || !response.body) return false;
  const reader = response.body.getReader();
  const head = [];
  let got = 0;
  const t0 = performance.now(); // from the first byte: the round trip says nothing about the rate
  while (got < PROBE_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    head.push(value);
    got += value.byteLength;
  }
  const ms = Math.max(performance.now() - t0, 1);
  const body = new ReadableStream({
    start(controller) {
      for (const chunk of head) controller.enqueue(chunk);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  underWay.set(url, new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers }));
  return (got * 8) / 1000 / ms >= FAST_LINK_MBPS;
}

/** The snapshot, gunzipped here (so any static host can serve it), checked while it downloads. */
async function fetchSnapshot() {
  const response = await fetch(new URL(SNAPSHOT.file, import.meta.url), { integrity: SNAPSHOT.integrity });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const memory = response.body.pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(memory).arrayBuffer());
}

function started(pyodide, t0, boot) {
  const run = pyodide.globals.get("_check_text");
  const python = pyodide.runPython("import sys; sys.version.split()[0]");
  const labels = JSON.parse(pyodide.globals.get("_labels"));
  const policy = JSON.parse(pyodide.globals.get("_policy"));
  self.postMessage({ type: "ready", pyodide: pyodide.version, python, labels, policy, ms: performance.now() - t0, boot });
  return run;
}

let restoring = false; // while true, a failure is the snapshot's: the normal boot follows
async function restore(t0) {
  expect("snapshot");
  progress(1, "Downloading");
  restoring = true;
  try {
    const memory = fetchSnapshot(); // downloads while the runtime compiles
    memory.catch(() => {}); // else a failed download is an unhandled rejection before Pyodide awaits it
    const pyodide = await loadPyodide({ lockFileURL, stdout: () => {}, _loadSnapshot: memory });
    progress(3, "Starting");
    if (pyodide.globals.get("_snapshot_inputs") !== SNAPSHOT.inputs) {
      throw new Error("it was made from another checker or rulebook");
    }
    return started(pyodide, t0, { way: "snapshot", fallback: null });
  } finally {
    restoring = false;
  }
}

async function bootNormally(t0, fallback) {
  expect("normal");
  progress(1, "Downloading");
  const wheel = fetchWheel();
  const rulebook = fetchRulebook();
  wheel.catch(() => {}); // reported when awaited below
  rulebook.catch(() => {});
  const pyodide = await loadPyodide({ packageBaseUrl, lockFileURL, stdout: () => {} });
  progress(2, "Setting up");
  // Installing the already-downloaded wheel directly is ~130 ms faster than loadPackage(), whose
  // Python-side loader has to be imported first (measured).
  pyodide.unpackArchive(await wheel, "wheel");
  progress(3, "Starting");
  pyodide.globals.set("_rulebook_text", await rulebook);
  pyodide.runPython(START);
  return started(pyodide, t0, { way: "normal", fallback });
}

async function boot() {
  const t0 = performance.now();
  expect("normal");
  progress(1, "Downloading");
  const way = asked === "auto" ? ((await linkIsFast()) ? "snapshot" : "normal") : asked;
  if (way !== "snapshot") return bootNormally(t0, null);
  try {
    return await restore(t0);
  } catch (err) {
    return bootNormally(t0, String(err?.message ?? err).split("\n")[0]);
  }
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
  if (restoring) return; // the normal boot follows a failed restore
  const text = args.map(String).join(" ");
  if (/instantiation failed|failed to fetch|NetworkError|CompileError/i.test(text)) {
    reportFailure(`the Python runtime could not be loaded (${text.split("\n")[0]})`);
  }
};
self.addEventListener("unhandledrejection", (event) => {
  if (restoring) return;
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
