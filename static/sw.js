// Kleinbild's service worker. It keeps the app's own files, by their hashed
// names, so the app starts offline; the build fills in FILES and VERSION.
// Nothing else is ever cached: API answers and every request that carries
// the key go to the network untouched.
const VERSION = "__VERSION__";
const FILES = __FILES__;
const scope = self.registration.scope;
// Each language's build has its own worker (its folder is its scope): the
// caches are named by scope, so one never deletes another's.
const PREFIX = "kleinbild-" + scope + "-";
const CACHE = PREFIX + VERSION;
const shell = new URL("./", scope).href;
const files = new Set(FILES.map((f) => new URL(f, scope).href));

self.addEventListener("install", (event) => {
  // The page itself is revalidated: an older copy from the HTTP cache would
  // name files this version does not have.
  const requests = FILES.map((f) => new Request(f, { cache: f === "./" ? "no-cache" : "default" }));
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(requests)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// A new version waits until the person chooses Reload.
self.addEventListener("message", (event) => {
  if (event.data === "update") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  const path = url.origin + url.pathname;
  // Opening the app (with a sign-in code or a share link or not) gets the page.
  const isApp = request.mode === "navigate" && (path === shell || path === shell + "index.html");
  const key = isApp ? shell : files.has(path) ? path : null;
  if (key === null) return;
  event.respondWith(
    caches.open(CACHE).then((cache) => cache.match(key)).then((kept) => kept || fetch(request)),
  );
});
