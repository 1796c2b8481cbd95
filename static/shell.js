// The static shell works before the app has started. Its Generate (or
// Ctrl/⌘+Enter in its prompt) is kept, and replayed on the app's Generate the
// moment the app replaces the shell (the app takes the typed prompt over:
// src/shell.rs), so Generate is usable from the first paint, as on a plain
// HTML page. Someone typing then goes on typing in the app's prompt, at the
// same place.
(() => {
  const shell = document.getElementById("shell");
  const prompt = shell.querySelector("textarea");
  let pressed, focused;
  const press = (event) => {
    event.preventDefault();
    pressed = true;
    for (const note of shell.querySelectorAll(".results__empty")) note.hidden = !note.hidden;
    shell.querySelector("button").disabled = true;
  };
  shell.querySelector("button").onclick = press;
  prompt.onkeydown = (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !pressed) press(event);
  };
  addEventListener("focusin", (event) => (focused = event.target));
  new MutationObserver((_, observer) => {
    if (shell.isConnected) return;
    observer.disconnect();
    const next = document.querySelector("textarea");
    if (focused === prompt && document.activeElement === document.body && next) {
      next.focus();
      next.setSelectionRange(prompt.selectionStart, prompt.selectionEnd);
    }
    if (pressed) document.querySelector(".prompt-form .button--primary")?.click();
  }).observe(shell.parentNode, { childList: true });
  performance.mark("kleinbild:ready");
})();

// History's first thumbnails, read from IndexedDB while the app loads (their
// ids: `kleinbild.history.first-page`, written by the app), fill the tiles of
// the gallery's placeholder as soon as the app draws it; the gallery then
// takes the same URLs over (`kleinbildThumbs`, src/shell.rs).
(() => {
  try {
    const ids = (localStorage.getItem("kleinbild.history.first-page") || "").split(" ").filter(Boolean);
    if (!ids.length) return;
    const urls = (window.kleinbildThumbs = Object.create(null));
    let read = false;
    const observer = new MutationObserver(() => fill());
    const fill = () => {
      const gallery = document.querySelector("section.gallery");
      const tiles = gallery && gallery.hasAttribute("aria-busy") ? gallery.querySelectorAll(".gallery__tile") : [];
      if (read && tiles.length) {
        tiles.forEach((tile, i) => urls[ids[i]] && tile.append(Object.assign(new Image(), { src: urls[ids[i]], alt: "" })));
      }
      // Filled, or the gallery itself is there: nothing more to do.
      if ((read && tiles.length) || (gallery && !gallery.hasAttribute("aria-busy"))) observer.disconnect();
    };
    const open = indexedDB.open("kleinbild");
    // Never make the database here: the app makes it, with its stores.
    open.onupgradeneeded = () => open.transaction.abort();
    open.onerror = () => observer.disconnect();
    open.onsuccess = () => {
      const db = open.result;
      db.onversionchange = () => db.close();
      if (!db.objectStoreNames.contains("thumbs")) return db.close(), observer.disconnect();
      const tx = db.transaction("thumbs");
      for (const id of ids) {
        tx.objectStore("thumbs").get(id).onsuccess = ({ target }) => {
          if (target.result instanceof Blob) urls[id] = URL.createObjectURL(target.result);
        };
      }
      tx.oncomplete = () => { db.close(); read = true; fill(); };
    };
    observer.observe(document.body, { childList: true, subtree: true });
  } catch {}
})();
