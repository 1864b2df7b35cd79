// The "Check your situation" page: a guided form (its questions rendered into the page from the
// rulebook at build time, handbook/site/checkerdocs.py; this script adopts them), a verdict panel,
// a permalink in the URL fragment, and the checker itself running in a module Web Worker (Pyodide).
// Which questions apply is read by ./applicable.js (the engine's semantics, proved equal by a test).
//
// The reader's page: a calm start (common situations, no verdict before the first answer); after
// each answer the short answer stays in view (a bar at the foot of the screen while the answer
// itself is out of view); each answer is a step in the browser's history (Back undoes it); the
// answer can be printed or saved as a record (#pc-record, shown by the print stylesheet only).
//
// Public API (scripted use and tests):
//   window.policyChecker.check(scenario)      -> Promise of the result (same JSON as the native checker)
//   window.policyChecker.checkJSON(scenario)  -> Promise of the checker's canonical JSON, byte for byte
//   window.policyChecker.ready                -> Promise, resolves when checks can run
// The page root ([data-checker-state]) moves from "loading" to "ready", or to "error".

import { applicableAnswers as applicableOf, environment, isAsked } from "./applicable.js";

const ASSETS = new URL("./", import.meta.url);
const SITE_ROOT = new URL("../../", ASSETS);
/** verdict id -> words, from the checker package itself (sent by the worker when it is ready) */
let VERDICTS = {};
const UNKNOWN = ""; // the radio value of "I don't know"
const BOOT_TIMEOUT_MS = 60_000; // no ready message by then: show the fallback
/** One column (the answer under the questions), as checker.css lays the page out below 60em. */
const oneColumn = () => matchMedia("(max-width: 59.99em)").matches;

const root = document.querySelector("[data-checker-state]");
const $ = (sel) => root.querySelector(sel);
const questionsBox = $("#pc-questions");
const resultBox = $("#pc-result");
const liveBox = $("#pc-live");
const statusBox = $("#pc-status");
const progressBar = $("#pc-progress");
const statusText = $("#pc-status-text");
const answerBox = $("#pc-answer");
const startBox = $("#pc-start");
const compactBox = $("#pc-compact");
const recordBox = $("#pc-record");
const keepBox = $("#pc-keep"); // print, save, copy: moved under each new answer

/** Build an element: h("p", {class: "x"}, "text", child, ...). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    if (key === "text") el.textContent = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child != null && child !== false) el.append(child);
  }
  return el;
}

// ---------------------------------------------------------------- state

let facts = []; // rulebook facts, in rulebook order
let factById = new Map();
let policy = {}; // the rulebook's policy: number, title, ...
/** fact id -> answer (true/false, a value id, or null = "I don't know"); never loses answers */
const answers = new Map();
let lastResult = null;
let notices = [];

/** The answers that apply (their question is asked, given the other answers). */
const applicableAnswers = () => applicableOf(facts, answers);

/** The scenario the form sends: the answers that apply, and "I don't know" (null) for the
 *  questions asked now that the reader said they don't know. */
function scenario() {
  const sent = {};
  const env = environment(facts, answers);
  for (const fact of facts) {
    const entry = env.get(fact.id);
    if (entry.state === "value") sent[fact.id] = entry.value;
    else if (answers.has(fact.id) && answers.get(fact.id) === null && entry.state === "unknown" && entry.asked) {
      sent[fact.id] = null;
    }
  }
  return { facts: sent };
}

// ---------------------------------------------------------------- permalink

function encodeScenario(facts_) {
  const sorted = Object.fromEntries(Object.keys(facts_).sort().map((k) => [k, facts_[k]]));
  const bytes = new TextEncoder().encode(JSON.stringify({ facts: sorted }));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function decodeScenario(text) {
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const data = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
  if (typeof data !== "object" || data === null || typeof data.facts !== "object") throw new Error("no facts");
  return data.facts ?? {};
}

function valid(fact, value) {
  if (value === null) return true;
  if (fact.type === "yes_no") return value === true || value === false;
  if (fact.type === "several_of") {
    return Array.isArray(value) && new Set(value).size === value.length && value.every((x) => fact.values.some((v) => v.id === x));
  }
  return fact.values.some((v) => v.id === value);
}

/** The fragment that stands for the answers now ("" when there are none). */
function currentHash() {
  const all = Object.fromEntries(answers);
  return Object.keys(all).length ? `#s=${encodeScenario(all)}` : "";
}

function loadFromFragment() {
  const match = /^#s=([A-Za-z0-9_-]*)$/.exec(location.hash);
  if (!match) {
    if (location.hash !== "") return false; // another anchor of the page: keep the answers
    notices = [];
    answers.clear(); // back to the start
    return true;
  }
  notices = [];
  let given;
  try {
    given = decodeScenario(match[1]);
  } catch {
    notices.push("The link to this scenario is damaged, so the checker starts with no answers.");
    return false;
  }
  answers.clear();
  for (const [id, value] of Object.entries(given)) {
    const fact = factById.get(id);
    if (!fact) notices.push(`The link mentions a question this checker does not know (“${id}”); it is left out.`);
    else if (!valid(fact, value)) notices.push(`The link gives an answer that is not one of the choices for “${fact.question}”; it is left out.`);
    else answers.set(id, value);
  }
  return true;
}

/** Put the answers in the address: a new step in the browser's history when the reader changed
 *  an answer (so Back undoes it), the same step otherwise. */
function updatePermalink(push) {
  const hash = currentHash();
  if (location.hash === hash) return;
  const url = location.pathname + location.search + hash;
  if (push) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

// ---------------------------------------------------------------- the form

const fieldsets = new Map();

const toRadio = (value) => (value === null ? UNKNOWN : typeof value === "boolean" ? String(value) : `v:${value}`);
const fromRadio = (text) =>
  text === UNKNOWN ? null : text === "true" ? true : text === "false" ? false : text.slice(2);

const checkedValues = (fs) => [...fs.querySelectorAll("input:checked")].map((i) => i.value);

/** The values ticked in a choose-everything-that-applies question, in the rulebook's order. */
const chosenValues = (fact, fs) => {
  const checked = checkedValues(fs);
  return fact.values.map((v) => v.id).filter((id) => checked.includes(`v:${id}`));
};

/** The answer a question's inputs give now, or undefined when none is checked. */
function answerOf(fact, fs) {
  const checked = checkedValues(fs);
  if (fact.type !== "several_of") return checked.length ? fromRadio(checked[0]) : undefined;
  if (checked.includes(UNKNOWN)) return null;
  const chosen = chosenValues(fact, fs);
  return chosen.length ? chosen : undefined;
}

/** The questions are in the page (handbook/site/checkerdocs.py renders them from the rulebook): take
 *  each one over, with any answer the reader gave before this script ran. */
function adoptForm() {
  for (const fact of facts) {
    const fs = questionsBox.querySelector(`fieldset[data-fact="${CSS.escape(fact.id)}"]`);
    if (!fs) throw new Error(`the page has no question ${fact.id}: it does not match the rulebook`);
    fieldsets.set(fact.id, fs);
    const given = answerOf(fact, fs);
    if (given !== undefined) answers.set(fact.id, given);
    fs.addEventListener("change", (event) => {
      if (fact.type !== "several_of") {
        answers.set(fact.id, fromRadio(event.target.value));
      } else if (event.target.value === UNKNOWN) {
        answers.set(fact.id, event.target.checked ? null : []);
      } else {
        answers.set(fact.id, chosenValues(fact, fs)); // a value ticked replaces "I don't know"
      }
      changed();
    });
  }
}

/** Show the answered questions and those that can still change the answer; keep the rest hidden. */
function syncForm() {
  const env = environment(facts, answers);
  const applicable = applicableAnswers();
  const open = new Set((lastResult?.open_questions ?? []).map((q) => q.fact));
  for (const fact of facts) {
    const fs = fieldsets.get(fact.id);
    const answered = answers.has(fact.id);
    // asked now (its asked_when holds) and, once the checker has answered, able to change the verdict
    const asked = isAsked(fact, env) && (!lastResult || open.has(fact.id));
    fs.hidden = !(answered || asked);
    const given = answered ? answers.get(fact.id) : undefined;
    for (const input of fs.querySelectorAll("input")) {
      if (fact.type === "several_of") {
        input.checked = input.value === UNKNOWN ? given === null : Array.isArray(given) && given.includes(input.value.slice(2));
      } else {
        input.checked = answered && input.value === toRadio(given);
      }
    }
    const unused = answered && answers.get(fact.id) !== null && !applicable.has(fact.id);
    const note = fs.querySelector(".pc-note");
    note.hidden = !unused;
    note.textContent = unused ? "Kept, but not used: this question does not apply to your other answers." : "";
    fs.classList.toggle("pc-unused", unused);
    fs.classList.toggle("pc-open", !answered && asked);
  }
  const hint = $("#pc-form-hint");
  const stage = answers.size ? "answering" : "start";
  root.dataset.stage = stage;
  startBox.hidden = stage !== "start";
  if (stage === "start") {
    hint.textContent = "Start with what your situation involves.";
    return;
  }
  hint.textContent = lastResult ? openSentence(lastResult) : "";
}

/** What the questions still open can do, in the result's own words (the form and the answer agree). */
function openSentence(result) {
  const open = askableNow(result).filter((q) => !q.unsure);
  const verdict = open.filter((q) => q.changes === "verdict").length;
  const more = open.length - verdict;
  const n = (k) => `${k} question${k === 1 ? "" : "s"}`;
  if (verdict && more) return `${n(verdict)} could change the answer; ${n(more)} could add to what you must do.`;
  if (verdict) return `${n(verdict)} could change the answer.`;
  if (more) return `No other question can change the answer; ${n(more)} could add to what you must do.`;
  return "No other question can change the answer.";
}

// ---------------------------------------------------------------- the verdict panel

const verdictLabel = (v) => VERDICTS[v] ?? v;
const siteLink = (url) => new URL(url, SITE_ROOT).href;

function answerItem(a) {
  return h("li", {}, h("span", { class: "pc-qtext", text: a.question }), " ", h("strong", { text: a.answer_label }));
}

const sentence = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/** The clause's title, then its id and the ids of the clauses that introduce it (a citation). */
function citation(f) {
  const clause = f.clause ?? {};
  const ids = [clause.id, ...(f.cites ?? []).map((c) => c.id)].filter(Boolean).join(", ");
  const href = clause.url ? siteLink(clause.url) : null;
  const parts = [clause.title ?? "", " ", h("span", { class: "pc-cid", text: `(${ids})` })];
  return href ? h("a", { href, class: "pc-clause-link" }, ...parts) : h("span", {}, ...parts);
}

/** What can happen, said once for the whole answer: each consequence clause the findings lead to,
 *  quoted, with the case in which it applies. */
function consequences(findings) {
  const seen = new Map();
  for (const f of findings) for (const c of f.consequences ?? []) if (!seen.has(c.id)) seen.set(c.id, c);
  if (!seen.size) return null;
  return [
    h("h3", { text: "What can happen" }),
    h(
      "ul",
      { class: "pc-consequences" },
      [...seen.values()].map((c) =>
        h("li", {}, c.if ? `${sentence(c.if)}, the policy says: ` : "The policy says: ", h("q", { text: c.text }), " ", h("span", { class: "pc-cid", text: `(${c.clause})` })),
      ),
    ),
  ];
}

/** One finding: its plain headline, the quoted words with the citation; the rest one click away. */
function findingCard(f, possible) {
  const clause = f.clause ?? {};
  const href = clause.url ? siteLink(clause.url) : null;
  const more = [
    f.about?.length ? h("p", { class: "pc-about-finding", text: `About: ${f.about.join("; ")}` }) : null,
    f.because?.length && !possible
      ? [h("p", { class: "pc-sub", text: "Because" }), h("ul", {}, f.because.map((a) => h("li", { text: sentence(a.says) })))]
      : null,
    f.obligations?.length
      ? [h("p", { class: "pc-sub", text: "What to do" }), h("ul", {}, f.obligations.map((o) => h("li", { text: o })))]
      : null,
    f.would_change?.length
      ? [
          h("p", { class: "pc-sub", text: "What would change the answer" }),
          h("ul", {}, f.would_change.map((w) => h("li", {}, `If ${w.says}: `, h("strong", { text: verdictLabel(w.verdict) })))),
        ]
      : null,
    f.explanation ? h("p", { class: "pc-why", text: f.explanation }) : null,
  ].flat(2).filter(Boolean);
  return h(
    "article",
    { class: `pc-finding pc-v-${f.verdict}` },
    possible ? null : h("h4", { text: f.headline }),
    clause.words
      ? h(
          "blockquote",
          { class: "pc-words", cite: href },
          h("p", {}, `“${clause.words}”`),
          h("footer", {}, citation(f)),
        )
      : null,
    more.length ? h("details", { class: "pc-more" }, h("summary", { text: "Why, and what to do" }), ...more) : null,
  );
}

/** The open questions that can be asked now (their asked_when holds); the rest follow from them. */
function askableNow(result) {
  const env = environment(facts, answers);
  return (result.open_questions ?? []).filter((q) => factById.has(q.fact) && isAsked(factById.get(q.fact), env));
}

function renderResult(result) {
  const open = askableNow(result).filter((q) => !q.unsure);
  const parts = [
    h(
      "div",
      { class: `pc-overall pc-v-${result.verdict}` },
      h("p", { class: "pc-summary", text: result.summary }),
    ),
  ];
  const findings = () => {
    if (!result.findings?.length) return;
    parts.push(
      h("h3", { text: result.findings.length === 1 ? "What applies" : `What applies (${result.findings.length})` }),
      result.findings.map((f) => findingCard(f, false)),
      consequences(result.findings),
    );
  };
  if (result.verdict !== "depends") findings(); // the open questions lead only when they decide
  if (open.length) {
    parts.push(
      h("h3", { text: "Questions still open" }),
      h(
        "ul",
        { class: "pc-open-list" },
        open.map((q) =>
          h(
            "li",
            {},
            h("a", { href: `#q-${q.fact}`, "data-fact": q.fact, text: q.question }),
            h("span", { class: "pc-changes", text: q.changes === "verdict" ? " (could change the answer)" : " (could add to what you must do)" }),
          ),
        ),
      ),
    );
  }
  if (result.verdict === "depends") findings();
  if (result.possible_findings?.length) {
    parts.push(
      h("h3", { text: `What may also apply (${result.possible_findings.length})` }),
      result.possible_findings.map((f) =>
        h(
          "details",
          { class: `pc-possible pc-v-${f.verdict}` },
          h("summary", {}, h("span", { class: "pc-possible-headline", text: f.headline }), h("span", { class: "pc-if", text: `${f.if}.` })),
          findingCard(f, true),
        ),
      ),
    );
  }
  if (result.notes?.length) {
    parts.push(
      h("h3", { text: "Our notes (not policy)" }),
      h("ul", { class: "pc-notes" }, result.notes.map((n) => h("li", { text: n.text }))),
    );
  }
  if (result.answers?.length) {
    parts.push(h("h3", { text: "Your answers" }), h("ul", { class: "pc-answers" }, result.answers.map(answerItem)));
  }
  resultBox.replaceChildren(...parts.flat(2).filter((p) => p != null && p !== false));
}

function announce(result) {
  liveBox.textContent = `${result.summary} ${openSentence(result)}`;
}

// ---------------------------------------------------------------- the answer in view

/** The short answer at the foot of the screen, while the answer itself is out of view. */
let overallSeen = true;
function syncCompact() {
  const shown = Boolean(lastResult) && !answerBox.hidden && !overallSeen;
  compactBox.hidden = !shown;
  root.classList.toggle("pc-has-compact", shown);
}

function renderCompact(result) {
  const box = compactBox.querySelector("p");
  box.className = `pc-v-${result.verdict}`;
  $("#pc-compact-text").textContent = result.summary;
}

const overallWatch =
  typeof IntersectionObserver === "undefined"
    ? null
    : new IntersectionObserver(
        (entries) => {
          for (const entry of entries) overallSeen = entry.isIntersecting;
          syncCompact();
        },
        { threshold: 0.6 },
      );

function watchOverall() {
  if (!overallWatch) return;
  overallWatch.disconnect();
  const overall = resultBox.querySelector(".pc-overall");
  if (overall) overallWatch.observe(overall);
}

/** Bring the answer's top into view (under the theme's sticky header). */
function showAnswer() {
  const heading = $("#pc-verdict-heading");
  heading.tabIndex = -1;
  heading.scrollIntoView({ block: "start" });
  heading.focus({ preventScroll: true });
}

// ---------------------------------------------------------------- a record to keep

const today = () => new Date().toLocaleDateString("en-US", { year: "numeric", month: "long", day: "numeric" });

/** The printed record: the situation in words, the answer, the quoted clauses with their ids and
 *  links, the policy's number, title, adoption date and text hash, the date, and what it is not. */
function renderRecord(result) {
  const p = result.policy ?? policy;
  const link = location.href;
  const said = (result.answers ?? []).filter((a) => a.says);
  const quoted = (f) =>
    h(
      "li",
      {},
      h("strong", { text: f.headline }),
      f.clause?.words ? h("blockquote", {}, h("p", {}, `“${f.clause.words}”`)) : null,
      h("p", { class: "pc-record-cite" }, `${[f.clause?.id, ...(f.cites ?? []).map((c) => c.id)].filter(Boolean).join(", ")}: ${f.clause?.title ?? ""}`, f.clause?.url ? ` (${siteLink(f.clause.url)})` : ""),
    );
  const open = (result.open_questions ?? []).filter((q) => !q.unsure);
  const parts = [
    h("p", { class: "pc-record-kicker", text: `${p.district ?? ""} · Policy ${p.number}: ${p.title}` }),
    h("h2", { text: "Your answer from the policy checker" }),
    h("p", { class: `pc-record-answer pc-v-${result.verdict}`, text: result.summary }),
    h("h3", { text: "Your situation" }),
    h("ul", {}, said.map((a) => h("li", { text: `${sentence(a.says)}.` }))),
    result.findings?.length ? [h("h3", { text: "What applies" }), h("ul", {}, result.findings.map(quoted))] : null,
    consequences(result.findings ?? []),
    open.length ? [h("h3", { text: "Questions still open" }), h("ul", {}, open.map((q) => h("li", { text: q.question })))] : null,
    result.possible_findings?.length
      ? [h("h3", { text: "What may also apply" }), h("ul", {}, result.possible_findings.map((f) => h("li", { text: `${f.if}, then: ${f.headline} (${f.clause?.id ?? ""})` })))]
      : null,
    h(
      "p",
      { class: "pc-record-meta" },
      `Checked on ${today()} against Policy ${p.number}, “${p.title}”, adopted ${p.adopted}.`,
      h("br"),
      `Version of the policy's text (SHA-256): ${p.text_sha256 ?? "not given"}.`,
      h("br"),
      `To open this answer again: ${link}`,
    ),
    h("p", { class: "pc-record-note", text: "This is guidance on the policy’s text from the handbook’s checker, not a decision by the District and not legal advice. The official text is what counts; ask your administrator about your own case." }),
  ];
  recordBox.replaceChildren(...parts.flat(2).filter(Boolean));
}

function renderNotices() {
  const box = $("#pc-notices");
  box.replaceChildren(...notices.map((n) => h("p", { text: n })));
  box.hidden = !notices.length;
}

// ---------------------------------------------------------------- the worker

let worker = null;
let watchdog = 0;
let nextId = 1;
const pending = new Map();
let setState;
let readyResolve;
let readyReject;
const ready = new Promise((resolve, reject) => {
  readyResolve = resolve;
  readyReject = reject;
});
ready.catch(() => {});
const timings = { start: performance.now() };

/** Send a check now: the worker answers as soon as it is ready (no round trip after "ready"). */
function request(scenario_) {
  if (root.dataset.checkerState === "error" || !worker) return ready.then(() => Promise.reject(new Error("not ready")));
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, type: "check", scenario: scenario_ });
  });
}

function fail(message) {
  if (root.dataset.checkerState === "error") return;
  clearTimeout(watchdog);
  worker?.terminate();
  root.dataset.checkerState = "error";
  progressBar.hidden = true;
  statusText.textContent = "The checker could not start in this browser.";
  answerBox.hidden = false;
  keepBox.hidden = true;
  resultBox.replaceChildren(
    h(
      "div",
      { class: "pc-error", role: "alert" },
      h("p", {}, h("strong", { text: "The checker could not start in this browser." }), ` (${message})`),
      h(
        "p",
        {},
        "You can still read ",
        h("a", { href: siteLink("official/"), text: policy.number ? `the official text of Policy ${policy.number}` : "the official text" }),
        " and ",
        h("a", { href: siteLink(""), text: "the annotated handbook" }),
        ", which explain every clause the checker would cite.",
      ),
    ),
  );
  for (const [, p] of pending) p.reject(new Error(message));
  pending.clear();
  readyReject(new Error(message));
}

function startWorker() {
  const boot = window.policyCheckerBoot?.start() ?? {}; // the page's worker (checker-start.html)
  if (typeof Worker === "undefined" || typeof WebAssembly === "undefined") {
    fail("it needs Web Workers and WebAssembly");
    return;
  }
  try {
    worker = boot.worker ?? new Worker(new URL("worker.js", ASSETS), { type: "module", name: "auto" });
  } catch (err) {
    fail(`the checker’s worker did not start: ${err.message}`);
    return;
  }
  timings.workerStart = boot.start ?? performance.now();
  watchdog = setTimeout(() => fail("it took too long to load; check your connection and reload the page"), BOOT_TIMEOUT_MS);
  worker.onerror = (event) => fail(event.message || "the checker’s worker failed to load");
  worker.onmessage = ({ data }) => onWorkerMessage(data);
  for (const data of boot.early ?? []) onWorkerMessage(data);
}

function onWorkerMessage(data) {
  if (data.type === "progress") {
    timings[`step${data.step}`] ??= performance.now();
    const mb = (n) => (n / 1e6).toFixed(1);
    if (data.total) {
      progressBar.max = data.total;
      progressBar.value = data.step > 1 ? data.total : data.loaded;
    }
    const bytes = data.step === 1 && data.total ? ` ${mb(data.loaded)} of ${mb(data.total)} MB` : "";
    statusText.textContent = `Loading the checker, step ${data.step} of ${data.steps}: ${data.message}${bytes}… You can answer already.`;
  } else if (data.type === "ready") {
    clearTimeout(watchdog);
    if (root.dataset.checkerState === "error") return;
    timings.ready = performance.now();
    timings.bootMs = data.ms;
    VERDICTS = data.labels ?? {};
    root.dataset.checkerState = "ready";
    progressBar.hidden = true;
    statusText.textContent = "The checker is ready.";
    const seconds = `${(data.ms / 1000).toFixed(1)} s`;
    const how =
      data.boot?.way === "snapshot"
        ? `It started in ${seconds} from a copy of Python saved with the checker loaded.`
        : data.boot?.fallback
          ? `The quick start did not work (${data.boot.fallback}), so it started Python the usual way, in ${seconds}.`
          : `It started Python and loaded the checker in ${seconds}.`;
    const offline = navigator.serviceWorker?.controller ? " This page and the checker also work offline in this browser." : "";
    $("#pc-about-text").textContent =
      `It runs Python ${data.python} in your browser (Pyodide ${data.pyodide}) and reads Policy ` +
      `${data.policy?.number ?? policy.number} as adopted on ${data.policy?.adopted ?? policy.adopted}. ${how}${offline} ` +
      "Nothing you answer leaves this page.";
    $("#pc-about").dataset.boot = data.boot?.fallback ? "fallback" : (data.boot?.way ?? "normal");
    $("#pc-about").hidden = false;
    readyResolve(data);
  } else if (data.type === "error") {
    fail(data.error.message);
  } else if (pending.has(data.id)) {
    const { resolve, reject } = pending.get(data.id);
    pending.delete(data.id);
    if (data.ok) resolve(data);
    else reject(Object.assign(new Error(data.error.message), { problems: data.error.problems ?? [] }));
  }
}

// ---------------------------------------------------------------- wiring

let latest = 0;

/** Show the answer for the answers now. ``push``: the reader changed an answer (a history step);
 *  ``reveal``: bring the answer into view once it is there (a link opened on this page). */
async function refresh({ push = false, reveal = false } = {}) {
  const ticket = ++latest;
  if (!answers.size) lastResult = null;
  syncForm();
  updatePermalink(push);
  if (root.dataset.checkerState === "error") return; // the panel says why, with links onward
  answerBox.hidden = !answers.size;
  if (!answers.size) {
    resultBox.replaceChildren();
    recordBox.replaceChildren();
    liveBox.textContent = "";
    syncCompact();
    return;
  }
  if (!lastResult && root.dataset.checkerState !== "ready") {
    resultBox.replaceChildren(h("p", { class: "pc-hint", text: "The answer appears here as soon as the checker has loaded." }));
  }
  try {
    const { result } = await request(scenario());
    if (ticket !== latest) return;
    lastResult = result;
    syncForm();
    renderResult(result);
    renderCompact(result);
    renderRecord(result);
    resultBox.querySelector(".pc-overall")?.after(keepBox);
    keepBox.hidden = false;
    watchOverall();
    announce(result);
    if (reveal) showAnswer();
    if (!timings.firstVerdict) {
      timings.firstVerdict = performance.now();
      performance.mark("checker-first-verdict");
    }
  } catch (err) {
    if (ticket !== latest || root.dataset.checkerState === "error") return;
    resultBox.replaceChildren(h("div", { class: "pc-error", role: "alert" }, h("p", { text: `The checker refused these answers: ${err.message}` })));
  }
}

function changed() {
  renderNotices();
  refresh({ push: true });
}

/** The address changed (Back, Forward, a starting situation, a link): show its answers. */
async function followLocation() {
  if (location.hash === currentHash()) return;
  const before = new Map(answers);
  if (!loadFromFragment()) return;
  renderNotices();
  await refresh({ reveal: oneColumn() && before.size === 0 });
  // Back and Forward go to the question whose answer changed, with the other answers kept
  const changedFact = facts.find((f) => JSON.stringify(before.get(f.id)) !== JSON.stringify(answers.get(f.id)));
  const fs = changedFact && before.size && answers.size ? fieldsets.get(changedFact.id) : null;
  if (fs && !fs.hidden) {
    (fs.querySelector("input:checked") ?? fs.querySelector("input"))?.focus({ preventScroll: true });
    fs.scrollIntoView({ block: "center" });
  }
}

async function init() {
  window.policyChecker = {
    ready,
    timings,
    get state() {
      return root.dataset.checkerState;
    },
    /** the scenario the form sends now (the applicable answers) */
    scenario: () => scenario(),
    check: (s) => request(s).then((r) => r.result),
    checkJSON: (s) => request(s).then((r) => r.json),
    encode: (f) => encodeScenario(f),
    decode: (t) => decodeScenario(t),
  };
  let rulebook;
  try {
    const response = await fetch(new URL("rulebook.json", ASSETS));
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    rulebook = await response.json();
  } catch (err) {
    fail(`the checker’s questions could not be loaded: ${err.message}`);
    return;
  }
  facts = rulebook.facts;
  factById = new Map(facts.map((f) => [f.id, f]));
  policy = rulebook.policy;
  try {
    adoptForm();
  } catch (err) {
    fail(err.message);
    return;
  }
  // a shared link's answers; without one, those given before this script ran (adoptForm) stay
  const fromLink = location.hash !== "" && loadFromFragment() && answers.size > 0;
  renderNotices();
  // the questions could be answered from the moment the page showed them (checker.md), or now
  timings.form = performance.getEntriesByName("pc-form-shown")[0]?.startTime ?? performance.now();
  startWorker();
  root.dataset.first = fromLink ? "answer" : "form"; // a shared link opens on its answer
  $("#pc-reset").addEventListener("click", () => {
    answers.clear();
    notices = [];
    changed();
    fieldsets.get(facts[0].id)?.querySelector("input")?.focus();
  });
  compactBox.addEventListener("click", (event) => {
    if (!event.target.closest("#pc-compact-link")) return;
    event.preventDefault(); // keep the permalink in the address bar
    showAnswer();
  });
  $("#pc-print").addEventListener("click", () => window.print());
  $("#pc-copy").addEventListener("click", async () => {
    const said = $("#pc-copied");
    try {
      await navigator.clipboard.writeText(location.href);
      said.textContent = "Link copied.";
    } catch {
      said.textContent = `Copy this link: ${location.href}`;
    }
  });
  resultBox.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-fact]");
    if (!link) return;
    event.preventDefault();
    fieldsets.get(link.dataset.fact)?.querySelector("input")?.focus();
  });
  window.addEventListener("popstate", followLocation);
  window.addEventListener("hashchange", followLocation);
  refresh({ reveal: fromLink && oneColumn() });
  delete document.documentElement.dataset.checkerLink; // the form and the answer show as they are now
}

init();
