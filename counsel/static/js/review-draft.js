// Autosave for the counselor's unsent review (overall comment, checklist, decision), in
// the manner of autosave.js: saved a few seconds after a change, when a field loses focus
// and when the tab is hidden. Text that has not reached the server yet (an outage) is kept
// in this browser's storage until it does, and restored if the page is reloaded. Without
// this script every button of the page posts these fields and the server keeps them. A
// save based on an older version of the draft (another tab saved meanwhile) shows the
// other version instead of overwriting it.
"use strict";
(() => {
  const form = document.querySelector("form[data-review-draft-url]");
  if (!form) return;
  const url = form.dataset.reviewDraftUrl;
  const versionInput = form.querySelector("input[name='review_version']");
  const statusEl = form.querySelector("[data-save-status]");
  const overall = form.querySelector("textarea[name='overall_comment']");
  let csrf = form.querySelector("input[name='csrf_token']").value;
  let inFlight = false, again = false, timer = null, retryDelay = 5000, conflict = null;
  let submitting = false, heldSubmit = null;

  function fields() {
    const checked = (name) => {
      const input = form.querySelector(`input[name='${name}']:checked`);
      return input ? input.value : "";
    };
    const rubric = {};
    form.querySelectorAll("input[type='radio'][name^='rubric_']").forEach((input) => {
      if (input.checked) rubric[input.name.slice("rubric_".length)] = input.value;
    });
    return {overall_comment: overall.value, decision: checked("decision"), rubric};
  }
  function fill(data) {
    overall.value = data.overall_comment || "";
    form.querySelectorAll("input[type='radio'][name='decision'], input[type='radio'][name^='rubric_']")
      .forEach((input) => {
        const want = input.name === "decision" ? data.decision
          : (data.rubric || {})[input.name.slice("rubric_".length)];
        input.checked = input.value === want;
      });
  }
  let lastSaved = JSON.stringify(fields());
  const key = form.dataset.storageKey;
  function version() { return parseInt(versionInput.value || "0", 10); }
  function keepLocally() {
    try {
      localStorage.setItem(key, JSON.stringify({fields: fields(), base: version(), at: Date.now()}));
    } catch (e) { /* storage full or blocked: the page itself still holds the text */ }
  }
  function forget() { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } }
  function stored() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function say(text, state) { statusEl.textContent = text; statusEl.dataset.state = state; }
  function later(ms) {
    clearTimeout(timer);
    timer = setTimeout(() => { timer = null; save(); }, ms);
  }

  async function freshToken() {
    try {
      const html = await (await fetch(window.location.href, {credentials: "same-origin"})).text();
      const match = html.match(/name="csrf-token" content="([^"]+)"/);
      if (match) {
        csrf = match[1];
        form.querySelector("input[name='csrf_token']").value = csrf;
      }
    } catch (e) { /* offline: the retry fails and is tried again later */ }
  }

  async function save(options = {}) {
    if (conflict || submitting) return;
    const current = fields();
    const snapshot = JSON.stringify(current);
    if (snapshot === lastSaved && !options.force) return;
    if (inFlight) { again = true; return; }
    inFlight = true;
    const body = JSON.stringify({...current, base_version: version()});
    keepLocally();
    say("Saving draft…", "saving");
    let response = null;
    try {
      response = await fetch(url, {
        method: "POST", credentials: "same-origin",
        keepalive: options.keepalive === true && new Blob([body]).size < 60000,
        headers: {"Content-Type": "application/json", "Accept": "application/json",
                  "X-CSRFToken": csrf},
        body,
      });
    } catch (e) { response = null; }
    inFlight = false;
    await handle(response, snapshot, options);
    if (heldSubmit) {
      const button = heldSubmit;
      heldSubmit = null;
      if (!conflict) { form.requestSubmit(button); return; }
    }
    if (again) { again = false; later(300); }
  }

  async function handle(response, snapshot, options) {
    let data = {};
    if (response) { try { data = await response.json(); } catch (e) { data = {}; } }
    if (response && response.ok && Number.isInteger(data.version)) {
      versionInput.value = data.version;
      lastSaved = snapshot;
      retryDelay = 5000;
      if (JSON.stringify(fields()) === snapshot) {
        forget();
        say("Draft saved at " + data.saved_at, "saved");
      } else {
        keepLocally();
        again = true;
      }
      return;
    }
    if (response && response.status === 409 && data.error === "conflict") {
      showConflict(data);
    } else if (response && response.status === 400 && data.error === "csrf" && !options.retried) {
      await freshToken();
      return save({force: true, retried: true});
    } else if (response && response.status === 401) {
      say("Not saved — you were signed out. Your review is still on this page: copy it before you sign in again.", "error");
    } else if (response && (response.status === 409 || response.status === 422)) {
      say("Not saved — " + (data.message || "this could not be saved.") + " Your text is still on this page.", "error");
    } else {
      say("Not saved — the server did not answer. Your text is still on this page. Trying again…", "offline");
      later(retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    }
  }

  function showConflict(data) {
    conflict = data;
    const panel = document.createElement("div");
    panel.className = "conflict-panel";
    panel.setAttribute("data-review-conflict", "");
    const heading = document.createElement("h3");
    heading.textContent = "This review was changed in another tab";
    heading.tabIndex = -1;
    const intro = document.createElement("p");
    intro.textContent = "Your text is still in the boxes. The other version says:";
    const pre = document.createElement("pre");
    pre.className = "answer-text";
    pre.textContent = data.overall_comment || "(no overall comment)";
    const actions = document.createElement("div");
    actions.className = "actions";
    const choice = (label, keep) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = keep === "mine" ? "button primary" : "button";
      button.textContent = label;
      button.addEventListener("click", () => {
        versionInput.value = conflict.version;
        if (keep === "theirs") fill(conflict);
        conflict = null;
        panel.remove();
        save({force: true});
      });
      return button;
    };
    actions.append(choice("Keep my version", "mine"), choice("Use the other version", "theirs"));
    panel.append(heading, intro, pre, actions);
    statusEl.after(panel);
    say("Not saved — this review changed in another tab. Choose which version to keep.", "conflict");
    if (document.activeElement !== overall) heading.focus();
  }

  form.addEventListener("input", (event) => {
    if (!event.target.matches("textarea[name='overall_comment'], input[type='radio']")) return;
    keepLocally();
    if (!conflict && statusEl.dataset.state !== "offline") say("Unsaved changes…", "dirty");
    if (!timer) later(2000);
  });
  form.addEventListener("change", (event) => {
    if (event.target.matches("input[type='radio']")) save();
  });
  overall.addEventListener("blur", () => save());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save({keepalive: true});
  });
  window.addEventListener("pagehide", () => save({keepalive: true}));
  window.addEventListener("pageshow", (event) => { if (event.persisted) submitting = false; });
  form.addEventListener("submit", (event) => {
    if (inFlight) {
      // Wait for the autosave on its way, then post with the version it returns.
      event.preventDefault();
      heldSubmit = event.submitter;
      return;
    }
    submitting = true;
    clearTimeout(timer);
    timer = null;
    // The post carries these fields: the server keeps them or hands them back on the page.
    forget();
  });

  // Coming back after an outage: restore what this browser kept that the server lacks.
  const kept = stored();
  if (kept && kept.fields && typeof kept.fields.overall_comment === "string") {
    const server = {...fields(), version: version()};
    if (JSON.stringify(kept.fields) === JSON.stringify(fields())) {
      forget();
    } else if (kept.base === version()) {
      fill(kept.fields);
      say("Restored your unsaved review from this browser. Saving…", "dirty");
      save({force: true});
    } else {
      fill(kept.fields);
      showConflict(server);
    }
  }
})();
