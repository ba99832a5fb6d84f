// counsel's small page helpers: copy buttons, confirmations, no double submits.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const source = document.querySelector(button.dataset.copy);
      const status = button.parentElement.querySelector("[data-copy-status]");
      source.select();
      try {
        await navigator.clipboard.writeText(source.value);
        if (status) status.textContent = "Copied.";
      } catch (e) {
        if (status) status.textContent = "Select the link and copy it.";
      }
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  restoreRescuedText();
  // A second click while the first submit is on its way does nothing.
  document.querySelectorAll("form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (event.defaultPrevented) return;
      if (form.dataset.submitting) { event.preventDefault(); return; }
      form.dataset.submitting = "1";
      setTimeout(() => { delete form.dataset.submitting; }, 8000);
    });
  });
});

// Text handed back by the "not saved yet" page (rescue.js) goes back into the form it came
// from, the next time that form is on screen in this tab. The client's work page keeps its
// own copy on the device (autosave.js), so it is left to that.
function restoreRescuedText() {
  let kept = null;
  try { kept = JSON.parse(sessionStorage.getItem("counsel-rescued") || "null"); } catch (e) { return; }
  if (!kept || !kept.fields || Date.now() - kept.at > 12 * 3600 * 1000) return;
  const form = Array.from(document.forms).find((f) => f.method === "post"
    && new URL(f.getAttribute("action") || window.location.href, window.location.href).pathname === kept.path);
  if (!form || document.querySelector("[data-rescue-form]")) return;
  sessionStorage.removeItem("counsel-rescued");
  if (form.hasAttribute("data-autosave-url")) return;
  let restored = 0;
  Object.entries(kept.fields).forEach(([name, value]) => {
    const field = form.elements.namedItem(name);
    if (field && (field.tagName === "TEXTAREA" || field.type === "text")) {
      field.value = value;
      restored += 1;
    }
  });
  if (!restored) return;
  const note = document.createElement("p");
  note.className = "flash flash-info";
  note.setAttribute("role", "status");
  note.textContent = "The text you wrote before signing in again is back in this form. Check it, then save.";
  form.prepend(note);
}

