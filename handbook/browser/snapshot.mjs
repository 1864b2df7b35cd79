// Make a memory snapshot of Pyodide with the checker started on the site's rulebook, for the worker
// to restore instead of booting Python (handbook/browser/snapshot.py runs this; the options
// _makeSnapshot and makeMemorySnapshot are private to Pyodide, whose version the project pins).
//
// usage: node snapshot.mjs RUNTIME_DIR LOCK_FILE WHEEL RULEBOOK START_PY INPUTS OUT
// Writes OUT (the raw snapshot). Reproducible: while it runs, the runtime's entropy
// (node:crypto.randomFillSync: the hash secret, the random module's seed, libc's key), Date.now
// (file times, time.time) and performance.now (monotonic clocks) are fixed; PYTHONHASHSEED is 0.
import { readFileSync, writeFileSync } from "node:fs";
import nodeCrypto from "node:crypto";
import { pathToFileURL } from "node:url";

const [runtime, lockFile, wheelFile, rulebookFile, startPy, inputs, out] = process.argv.slice(2);
if (!out) {
  console.error("usage: node snapshot.mjs RUNTIME_DIR LOCK_FILE WHEEL RULEBOOK START_PY INPUTS OUT");
  process.exit(2);
}

let x = 0x9e3779b9; // xorshift32
nodeCrypto.randomFillSync = (view) => {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 255;
  }
  return view;
};
const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? 0) * 1000;
Date.now = () => epoch;
performance.now = () => 0;

const { loadPyodide } = await import(pathToFileURL(`${runtime}/pyodide.mjs`).href);
const pyodide = await loadPyodide({
  indexURL: `${runtime}/`,
  lockFileURL: lockFile,
  _makeSnapshot: true,
  env: { PYTHONHASHSEED: "0" },
  stdout: () => {},
});
pyodide.unpackArchive(new Uint8Array(readFileSync(wheelFile)), "wheel"); // a Uint8Array, not a Buffer
pyodide.globals.set("_rulebook_text", readFileSync(rulebookFile, "utf8"));
// what the worker checks after a restore: Pyodide itself checks only its own build
pyodide.globals.set("_snapshot_inputs", inputs);
pyodide.runPython(startPy);
writeFileSync(out, pyodide.makeMemorySnapshot());
