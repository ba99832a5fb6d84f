// Quick exit (client pages): leave for a neutral site at once, replacing this page in the
// history so Back does not bring it up again. Escape pressed three times quickly does the
// same. Loaded without "defer" so the Escape listener is there from the first moment.
"use strict";
(() => {
  const PRESSES = 3;
  const WITHIN_MS = 1500;
  let presses = [];

  function target() {
    const link = document.querySelector("[data-quick-exit]");
    return link ? link.href : null;
  }

  function leave(event) {
    const url = target();
    if (!url) return;
    if (event) event.preventDefault();
    document.documentElement.style.visibility = "hidden";
    window.location.replace(url);
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("[data-quick-exit]");
    if (link) leave(event);
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" && event.key !== "Esc") return;
    const now = Date.now();
    presses = presses.filter((at) => now - at < WITHIN_MS);
    presses.push(now);
    if (presses.length >= PRESSES) {
      presses = [];
      leave(event);
    }
  });
})();
