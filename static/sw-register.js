// Links the manifest, and registers the service worker, once the app runs (its install fetches every
// file of the app, which must not compete with the first load), and offers a
// new version with a Reload button: nothing reloads under a person's feet.
export function registerServiceWorker() {
  // The install manifest is not needed to generate: linked now, it is never
  // fetched before the studio is ready.
  const manifest = document.createElement("link");
  manifest.rel = "manifest";
  manifest.href = "__MANIFEST__";
  document.head.append(manifest);
  const workers = navigator.serviceWorker;
  if (!workers) return;
  let reloading = false;
  const offer = (worker) => {
    const notice = document.getElementById("update");
    if (!notice || !workers.controller) return;
    notice.hidden = false;
    notice.querySelector("button").onclick = () => {
      reloading = true;
      worker.postMessage("update");
    };
  };
  workers.addEventListener("controllerchange", () => {
    if (reloading) location.reload();
  });
  workers
    .register("./sw.js")
    .then((registration) => {
      if (registration.waiting) offer(registration.waiting);
      registration.addEventListener("updatefound", () => {
        const worker = registration.installing;
        worker?.addEventListener("statechange", () => {
          if (worker.state === "installed") offer(worker);
        });
      });
      // A tab left open for days still hears of a new version.
      setInterval(() => registration.update().catch(() => {}), 3600000);
    })
    .catch(() => {});
}
