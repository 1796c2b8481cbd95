// The static shell's Generate works before the app has started: a press (or
// Ctrl/⌘+Enter in the prompt) is kept on the shell as `data-generate`, and the
// app, once mounted, generates with what was typed (src/shell.rs). So Generate
// is usable from the first paint, as on a plain HTML page.
(() => {
  const shell = document.getElementById("shell");
  const press = (event) => {
    event.preventDefault();
    shell.dataset.generate = "";
    for (const note of shell.querySelectorAll(".results__empty")) note.hidden = !note.hidden;
    shell.querySelector("button").disabled = true;
  };
  shell.querySelector("button").onclick = press;
  shell.querySelector("textarea").onkeydown = (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !("generate" in shell.dataset)) press(event);
  };
  performance.mark("kleinbild:ready");
})();
