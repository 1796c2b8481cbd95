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
