// The handbook offline: a service worker that keeps one complete, verified copy of each build.
//
// The build (handbook/offline/precache.py) replaces the placeholder below with the build's id and
// every file of the site with its SHA-256 and size. Installing this worker downloads them all (a file
// unchanged since the build already kept is copied from that build's cache instead), checks every
// byte against its hash, and only then takes over: a copy that would mix two builds is never used.
//
// Pages and files are then answered from that copy, with the network only for what it lacks, so
// after one visit every page, PDF and the checker work offline. A new build is noticed by the
// browser (this file changes), installed in the background and used from the next page opened. A
// page keeps the build it was opened with for everything it loads later (its checker's worker and
// runtime included), so an update never mixes an old page with new files: the cache of each build
// stays until no open page uses it.
"use strict";

const PRECACHE = __PRECACHE__; // {build, files: {path: [sha256, bytes, immutable]}, notFound}
const SCOPE = new URL("./", self.location.href);
const PREFIX = `handbook ${SCOPE.pathname} `;
const CACHE = PREFIX + PRECACHE.build;
/** which build each open page (and its workers) runs: client id -> cache name, kept across restarts */
const CLIENTS = `handbook-clients ${SCOPE.pathname}`;
const SHA_HEADER = "X-Handbook-SHA256";
const PARALLEL = 6;

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
const urlOf = (path) => new URL(path, SCOPE).href;

/** The site file a URL of the scope names (a directory URL is its index.html), or null. */
function pathOf(url) {
  const u = new URL(url);
  if (u.origin !== SCOPE.origin || !u.pathname.startsWith(SCOPE.pathname)) return null;
  let path = decodeURIComponent(u.pathname.slice(SCOPE.pathname.length));
  if (path === "" || path.endsWith("/")) path += "index.html";
  return path;
}

async function copyFromOlder(path, sha, older) {
  for (const cache of older) {
    const hit = await cache.match(urlOf(path));
    if (hit && hit.headers.get(SHA_HEADER) === sha) return hit;
  }
  return null;
}

async function download(path, sha, immutable) {
  // versioned files may come from the HTTP cache; everything else is revalidated with the server
  const response = await fetch(urlOf(path), { cache: immutable ? "default" : "no-cache", credentials: "same-origin" });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  const body = await response.arrayBuffer();
  const digest = hex(await crypto.subtle.digest("SHA-256", body));
  if (digest !== sha) throw new Error(`${path} is not the file of build ${PRECACHE.build}`);
  const headers = new Headers(response.headers);
  for (const name of ["Content-Encoding", "Content-Length", "ETag", "Last-Modified", "Date"]) headers.delete(name);
  headers.set(SHA_HEADER, sha);
  return new Response(body, { status: 200, headers });
}

async function precache() {
  const cache = await caches.open(CACHE);
  const older = await Promise.all(
    (await caches.keys()).filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.open(n)),
  );
  const todo = Object.entries(PRECACHE.files);
  const worker = async () => {
    for (let next = todo.pop(); next; next = todo.pop()) {
      const [path, [sha, , immutable]] = next;
      const have = await cache.match(urlOf(path));
      if (have && have.headers.get(SHA_HEADER) === sha) continue;
      await cache.put(urlOf(path), (await copyFromOlder(path, sha, older)) ?? (await download(path, sha, immutable)));
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

// -- which build serves which page ---------------------------------------------------------------

const assigned = new Map();
const clientKey = (clientId) => new URL(`__client__/${encodeURIComponent(clientId)}`, SCOPE).href;

async function assign(clientId, cacheName) {
  if (!clientId) return;
  assigned.set(clientId, cacheName);
  const store = await caches.open(CLIENTS);
  await store.put(clientKey(clientId), new Response(cacheName));
}

async function assignedTo(clientId) {
  if (!clientId) return null;
  if (assigned.has(clientId)) return assigned.get(clientId);
  const store = await caches.open(CLIENTS);
  const hit = await store.match(clientKey(clientId));
  const name = hit ? await hit.text() : null;
  if (name) assigned.set(clientId, name);
  return name;
}

/** Drop the builds no open page uses any more, and what was remembered about closed pages. */
async function tidy() {
  const live = new Set((await self.clients.matchAll({ includeUncontrolled: true, type: "all" })).map((c) => c.id));
  const store = await caches.open(CLIENTS);
  const keep = new Set([CACHE]);
  for (const request of await store.keys()) {
    const id = decodeURIComponent(new URL(request.url).pathname.split("/").pop());
    if (live.has(id)) keep.add(await (await store.match(request)).text());
    else {
      assigned.delete(id);
      await store.delete(request);
    }
  }
  for (const name of await caches.keys()) {
    if (name.startsWith(PREFIX) && !keep.has(name)) await caches.delete(name);
  }
}

/** Pages open before any build was kept (the first visit) came from this build: they keep it. */
async function adoptOpenPages() {
  for (const client of await self.clients.matchAll({ includeUncontrolled: true, type: "all" })) {
    if (!(await assignedTo(client.id))) await assign(client.id, CACHE);
  }
}

self.addEventListener("activate", (event) => {
  event.waitUntil(tidy().then(adoptOpenPages).then(() => self.clients.claim()));
});

/** The cache of the build the request's page runs: a new page gets this worker's build; a page
 *  (or a worker it starts) keeps the build it was opened with. */
async function cacheFor(event) {
  const { request } = event;
  if (request.mode === "navigate") {
    await assign(event.resultingClientId, CACHE);
    return CACHE;
  }
  const name = (await assignedTo(event.clientId)) ?? CACHE;
  if (request.destination === "worker" || request.destination === "sharedworker") {
    await assign(event.resultingClientId, name);
  }
  return (await caches.has(name)) ? name : CACHE;
}

async function respond(event, path) {
  const { request } = event;
  const cache = await caches.open(await cacheFor(event));
  const hit = await cache.match(urlOf(path));
  if (hit) return hit;
  try {
    return await fetch(request);
  } catch (error) {
    if (request.mode !== "navigate") throw error;
    const missing = await cache.match(urlOf(PRECACHE.notFound));
    if (!missing) throw error;
    return new Response(missing.body, { status: 404, statusText: "Not Found", headers: missing.headers });
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return; // a range request gets the whole file: every reader takes that
  const path = pathOf(request.url);
  if (path === null) return;
  event.respondWith(respond(event, path));
  if (request.mode === "navigate") event.waitUntil(tidy());
});
