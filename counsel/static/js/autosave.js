// Autosave for a client's answers. Without this script the page still works (plain Save
// and Submit buttons); with it, writing is saved every few seconds, when a field loses
// focus and when the tab is hidden. Text that cannot reach the server is kept in this
// browser's storage and sent once the server answers again. A save based on an old
// version of the draft shows both texts instead of overwriting either, and lets the client
// keep, per answer, their version, the other one, or both. Submitting with some answers
// empty asks first.
"use strict";
(() => {
  const form = document.querySelector("form[data-autosave-url]");
  if (!form) return;
  const key = form.dataset.storageKey;
  const fields = Array.from(form.querySelectorAll("textarea[name^='answers-']"));
  if (form.hasAttribute("data-readonly")) {
    // Submitted or withdrawn: a copy kept on this device that matches the page is done with.
    try {
      const kept = JSON.parse(localStorage.getItem(key) || "null");
      if (kept && JSON.stringify(kept.answers) === JSON.stringify(fields.map((f) => f.value))) {
        localStorage.removeItem(key);
      }
    } catch (e) { /* storage blocked */ }
    return;
  }
  const url = form.dataset.autosaveUrl;
  const versionInput = form.querySelector("input[name='base_version']");
  const statusEl = form.querySelector("[data-save-status]");
  const panel = form.querySelector("[data-conflict-panel]");
  let csrf = form.querySelector("input[name='csrf_token']").value;
  let inFlight = false, again = false, timer = null, retryDelay = 5000, conflict = null;
  let lastSaved = JSON.stringify(answers());
  // Requests sent since the server last confirmed a save, whose outcome this page never
  // learned (the answer was lost, or the tab closed first). If the server turns out to hold
  // exactly one of them, that is this page's own save, not a change made elsewhere.
  let unconfirmed = [];
  // The form is on its way (no more autosaves), or waits for an autosave to finish first.
  let submitting = false, heldSubmit = null;

  function answers() { return fields.map((f) => f.value); }
  function version() { return parseInt(versionInput.value || "0", 10); }
  function say(text, state) {
    statusEl.textContent = text;
    statusEl.dataset.state = state;
  }
  function keepLocally() {
    try {
      localStorage.setItem(key, JSON.stringify({answers: answers(), base: version(),
        sent: unconfirmed[unconfirmed.length - 1] || null, at: Date.now()}));
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
    try {
      const page = await fetch(window.location.href, {credentials: "same-origin"});
      const html = await page.text();
      const match = html.match(/name="csrf-token" content="([^"]+)"/);
      if (match) {
        csrf = match[1];
        // The Save and Submit buttons post the form: give it the fresh token too.
        form.querySelector("input[name='csrf_token']").value = csrf;
      }
    } catch (e) { /* offline: the retry below fails and is retried later */ }
  }

  async function save(options = {}) {
    if (conflict || submitting) return;
    const current = answers();
    const snapshot = JSON.stringify(current);
    if (snapshot === lastSaved && !options.force) return;
    if (inFlight) { again = true; return; }
    inFlight = true;
    const body = JSON.stringify({answers: current, base_version: version()});
    if (!unconfirmed.includes(snapshot)) unconfirmed = unconfirmed.concat([snapshot]).slice(-10);
    keepLocally();
    say("Saving…", "saving");
    let response = null;
    try {
      response = await fetch(url, {
        method: "POST", credentials: "same-origin",
        // A closing page can only send a small body (64 kB) this way.
        keepalive: options.keepalive === true && new Blob([body]).size < 60000,
        headers: {"Content-Type": "application/json", "Accept": "application/json",
                  "X-CSRFToken": csrf},
        body,
      });
    } catch (e) { response = null; }
    inFlight = false;
    await handle(response, current, options);
    if (heldSubmit) {
      const button = heldSubmit;
      heldSubmit = null;
      if (!conflict) { form.requestSubmit(button); return; }
    }
    if (again) { again = false; later(300); }
  }

  function saved(data, sent) {
    versionInput.value = data.version;
    lastSaved = JSON.stringify(sent);
    unconfirmed = [];
    retryDelay = 5000;
    if (JSON.stringify(answers()) === lastSaved) {
      forget();
      say("Saved at " + data.saved_at, "saved");
    } else {
      keepLocally();
      again = true;  // what was typed meanwhile goes next
    }
  }

  async function handle(response, sent, options) {
    let data = {};
    if (response) { try { data = await response.json(); } catch (e) { data = {}; } }
    // A 2xx without a version is not a save (say, a sign-in page after a redirect).
    if (response && response.ok && Number.isInteger(data.version)) {
      saved(data, sent);
      return;
    }
    if (response && response.status === 409 && data.error === "conflict") {
      const theirs = JSON.stringify(data.answers);
      if (theirs === JSON.stringify(sent) || unconfirmed.includes(theirs)) {
        // The server holds exactly what this page sent: its own save, not a conflict.
        saved(data, data.answers);
        return;
      }
      keepLocally();
      showConflict(data);
      return;
    }
    keepLocally();
    if (response && response.status === 400 && data.error === "csrf" && !options.retried) {
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

  // Per answer that differs: the other version and a choice of mine, theirs or both.
  const separator = panel.dataset.bothSeparator || "\n\n";
  function showConflict(data) {
    conflict = data;
    const holder = panel.querySelector("[data-conflict-text]");
    holder.replaceChildren();
    data.answers.forEach((text, i) => {
      if (text === fields[i].value) return;
      const heading = document.createElement("h3");
      heading.textContent = "Answer " + (i + 1);
      const pre = document.createElement("pre");
      pre.className = "answer-text";
      pre.dir = "auto";
      pre.textContent = text;
      const group = document.createElement("fieldset");
      group.className = "radio-row";
      const legend = document.createElement("legend");
      legend.textContent = "Which version of answer " + (i + 1) + " to keep";
      group.append(legend);
      [["mine", "Mine (in the box)"], ["theirs", "The other version"],
       ["both", "Both, mine first"]].forEach(([value, label]) => {
        const wrap = document.createElement("label");
        wrap.className = "radio";
        const input = document.createElement("input");
        input.type = "radio";
        input.name = "js-keep-" + i;
        input.value = value;
        input.checked = value === "mine";
        input.dataset.answer = String(i);
        wrap.append(input, " " + label);
        group.append(wrap);
      });
      holder.append(heading, pre, group);
    });
    panel.hidden = false;
    say("Not saved — this changed somewhere else. Choose which version to keep.", "conflict");
    const heading = panel.querySelector("h2");
    heading.setAttribute("tabindex", "-1");
    // Never pull the caret out of a box the client is typing in: their next keystrokes
    // would go nowhere. The status line announces the conflict instead.
    if (!fields.includes(document.activeElement)) heading.focus();
  }

  function merged(keep) {
    return fields.map((f, i) => {
      const mine = f.value, theirs = conflict.answers[i];
      const choice = keep === "chosen"
        ? (panel.querySelector(`input[name='js-keep-${i}']:checked`) || {value: "mine"}).value
        : keep;
      if (choice === "theirs") return theirs;
      if (choice === "both" && mine !== theirs) {
        return mine.trim() ? mine.replace(/\n+$/, "") + separator + theirs : theirs;
      }
      return mine;
    });
  }

  panel.querySelectorAll("[data-keep]").forEach((button) => {
    button.addEventListener("click", () => {
      if (!conflict) return;
      versionInput.value = conflict.version;
      merged(button.dataset.keep).forEach((text, i) => { fields[i].value = text; });
      conflict = null;
      panel.hidden = true;
      save({force: true});
    });
  });

  // Submitting with some answers empty asks first, on the page (the server asks too).
  const confirmEmpty = form.querySelector("[data-confirm-empty]");
  function labelOf(field) {
    const label = form.querySelector(`label[for='${field.id}']`);
    return label ? label.textContent.replace(/^\d+\.\s*/, "") : field.name;
  }
  function askAboutEmpty(empty) {
    const list = confirmEmpty.querySelector("[data-empty-prompts]");
    list.replaceChildren(...empty.map((field) => {
      const item = document.createElement("li");
      item.textContent = labelOf(field);
      return item;
    }));
    confirmEmpty.hidden = false;
    confirmEmpty.focus();
  }
  confirmEmpty.querySelector("[data-keep-writing]").addEventListener("click", (event) => {
    event.preventDefault();
    confirmEmpty.hidden = true;
    const first = fields.find((f) => !f.value.trim());
    (first || fields[0]).focus();
  });

  fields.forEach((field) => {
    field.addEventListener("input", () => {
      keepLocally();
      // Keep telling the client about an outage or a conflict while they write on.
      if (!conflict && statusEl.dataset.state !== "offline") say("Unsaved changes…", "dirty");
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
  window.addEventListener("pageshow", (event) => { if (event.persisted) submitting = false; });
  window.addEventListener("online", () => { retryDelay = 5000; save(); });
  // An idle sign-out is about to happen (idle.js): send what is unsaved first.
  document.addEventListener("counsel:save-now", () => save());
  form.addEventListener("submit", (event) => {
    const submitter = event.submitter;
    if (submitter && submitter.value === "submit") {
      const empty = fields.filter((f) => !f.value.trim());
      if (empty.length && empty.length < fields.length) {
        event.preventDefault();
        askAboutEmpty(empty);
        return;
      }
    }
    keepLocally();
    if (inFlight) {
      // An autosave is on its way (pressing the button took the focus out of the text,
      // which saves). Sent now, the form would race it and be refused as a conflict with
      // this page's own save: send it once the autosave is answered, with the new version.
      event.preventDefault();
      heldSubmit = event.submitter || form.querySelector("button[type='submit']");
      return;
    }
    submitting = true;
    clearTimeout(timer);
    timer = null;
  });

  // Coming back: restore anything this device kept that the server does not have yet.
  const kept = stored();
  if (kept && Array.isArray(kept.answers) && kept.answers.length === fields.length) {
    const server = JSON.stringify(answers());
    if (JSON.stringify(kept.answers) === server) {
      forget();
    } else if (kept.base === version() || kept.sent === server) {
      // The server has not changed since, or what it holds is this device's own last save
      // (sent as the tab closed): this device's text is the newer one.
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
