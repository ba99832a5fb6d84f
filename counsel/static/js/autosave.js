// Autosave for a client's answers. Without this script the page still works (plain Save
// and Submit buttons); with it, writing is saved every few seconds, when a field loses
// focus and when the tab is hidden. Text that cannot reach the server is kept in this
// browser's storage and sent once the server answers again. A save based on an old
// version of the draft shows both texts instead of overwriting either.
"use strict";
(() => {
  const form = document.querySelector("form[data-autosave-url]");
  if (!form || form.hasAttribute("data-readonly")) return;
  const url = form.dataset.autosaveUrl;
  const key = form.dataset.storageKey;
  const fields = Array.from(form.querySelectorAll("textarea[name^='answers-']"));
  const versionInput = form.querySelector("input[name='base_version']");
  const statusEl = form.querySelector("[data-save-status]");
  const panel = form.querySelector("[data-conflict-panel]");
  let csrf = form.querySelector("input[name='csrf_token']").value;
  let inFlight = false, again = false, timer = null, retryDelay = 5000, conflict = null;
  let lastSaved = JSON.stringify(answers());

  function answers() { return fields.map((f) => f.value); }
  function version() { return parseInt(versionInput.value || "0", 10); }
  function say(text, state) {
    statusEl.textContent = text;
    statusEl.dataset.state = state;
  }
  function keepLocally() {
    try {
      localStorage.setItem(key, JSON.stringify({answers: answers(), base: version(), at: Date.now()}));
    } catch (e) { /* storage full or blocked: the page itself still holds the text */ }
  }
  function forget() { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } }
  function stored() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function later(ms) {
    clearTimeout(timer);
    timer = setTimeout(() => { timer = null; save(); }, ms);
  }

  async function freshToken() {
    const page = await fetch(window.location.href, {credentials: "same-origin"});
    const html = await page.text();
    const match = html.match(/name="csrf-token" content="([^"]+)"/);
    if (match) csrf = match[1];
  }

  async function save(options = {}) {
    if (conflict) return;
    const current = answers();
    if (JSON.stringify(current) === lastSaved && !options.force) return;
    const body = JSON.stringify({answers: current, base_version: version()});
    if (inFlight) { again = true; return; }
    inFlight = true;
    say("Saving…", "saving");
    let response = null;
    try {
      response = await fetch(url, {
        method: "POST", credentials: "same-origin", keepalive: options.keepalive === true,
        headers: {"Content-Type": "application/json", "Accept": "application/json",
                  "X-CSRFToken": csrf},
        body,
      });
    } catch (e) { response = null; }
    inFlight = false;
    await handle(response, current, options);
    if (again) { again = false; later(300); }
  }

  async function handle(response, sent, options) {
    let data = {};
    if (response) { try { data = await response.json(); } catch (e) { data = {}; } }
    if (response && response.ok) {
      versionInput.value = data.version;
      lastSaved = JSON.stringify(sent);
      retryDelay = 5000;
      if (JSON.stringify(answers()) === lastSaved) forget(); else keepLocally();
      say("Saved at " + data.saved_at, "saved");
      return;
    }
    keepLocally();
    if (response && response.status === 409 && data.error === "conflict") {
      showConflict(data);
    } else if (response && response.status === 400 && data.error === "csrf" && !options.retried) {
      await freshToken();
      return save({force: true, retried: true});
    } else if (response && response.status === 401) {
      say("Not saved — you were signed out. Your text is kept on this device; sign in again to save it.", "error");
    } else if (response && (response.status === 409 || response.status === 422)) {
      say("Not saved — " + (data.message || "this could not be saved") + " Your text is kept on this device.", "error");
    } else {
      say("Not saved — kept on this device. Trying again…", "offline");
      later(retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    }
  }

  function showConflict(data) {
    conflict = data;
    const holder = panel.querySelector("[data-conflict-text]");
    holder.replaceChildren();
    data.answers.forEach((text, i) => {
      const heading = document.createElement("h3");
      heading.textContent = "Answer " + (i + 1);
      const pre = document.createElement("pre");
      pre.className = "answer-text";
      pre.textContent = text;
      holder.append(heading, pre);
    });
    panel.hidden = false;
    say("Not saved — this changed somewhere else. Choose which version to keep.", "conflict");
    panel.querySelector("h2").setAttribute("tabindex", "-1");
    panel.querySelector("h2").focus();
  }

  panel.querySelectorAll("[data-keep]").forEach((button) => {
    button.addEventListener("click", () => {
      if (!conflict) return;
      versionInput.value = conflict.version;
      if (button.dataset.keep === "theirs") {
        fields.forEach((f, i) => { f.value = conflict.answers[i]; });
      }
      conflict = null;
      panel.hidden = true;
      save({force: true});
    });
  });

  fields.forEach((field) => {
    field.addEventListener("input", () => {
      keepLocally();
      say("Unsaved changes…", "dirty");
      // Save every few seconds while typing (not only after a pause); while the server
      // is unreachable the retry timer keeps its own pace.
      if (!timer) later(3000);
    });
    field.addEventListener("blur", () => save());
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save({keepalive: true});
  });
  window.addEventListener("pagehide", () => save({keepalive: true}));
  window.addEventListener("online", () => save({force: true}));
  form.addEventListener("submit", () => keepLocally());

  // Coming back: restore anything this device kept that the server does not have yet.
  const kept = stored();
  if (kept && Array.isArray(kept.answers) && kept.answers.length === fields.length) {
    if (JSON.stringify(kept.answers) === JSON.stringify(answers())) {
      forget();
    } else if (kept.base === version()) {
      kept.answers.forEach((text, i) => { fields[i].value = text; });
      say("Restored your unsaved text from this device. Saving…", "dirty");
      save({force: true});
    } else {
      const serverAnswers = answers();
      kept.answers.forEach((text, i) => { fields[i].value = text; });
      showConflict({answers: serverAnswers, version: version()});
    }
  }
})();
