// The save loop shared by the pages that autosave a draft (autosave.js for a client's
// answers, review-draft.js for a counselor's unsent review). Loaded first by those pages;
// it only defines window.counselDraftSaver, and each page says what it saves and how it
// shows a conflict. The saver:
// - sends the draft as JSON a few seconds after a change, when the page asks (a field loses
//   focus) and when the tab is hidden or closed (a keepalive request that outlives the page);
// - sends at most one save at a time, and whatever was typed meanwhile right after it;
// - keeps unsent text in this browser's storage until the server has it, retries with a
//   growing pause while the server cannot be reached, and restores the text on reload;
// - fetches a fresh CSRF token once when the server refuses the old one (an expired
//   session signed in again in another tab);
// - holds a form post until the autosave on its way is answered, so that the post carries
//   the version that save returned instead of being refused as a conflict with it.
// A save based on an old version is refused by the server with the version it holds
// (409 "conflict"); the page shows it and calls resolve() with the text to keep.
"use strict";
window.counselDraftSaver = function counselDraftSaver(opts) {
  // opts: form, url, versionInput, storageKey (localStorage key), storeAs (name of the
  //   values in the stored record; it must not change, or text kept in browsers is lost),
  //   read() -> values, fill(values), fits(values) -> stored values match this page,
  //   body(values) -> JSON object sent (base_version is added), typingDelay (ms),
  //   messages {saving, saved(time), signedOut, refused(message), offline, restored,
  //   conflict}, onConflict(data), forgetOnSubmit, defaultButton (held post without a
  //   submitter), heldValues(data) -> what a 409 says the server holds (optional, below).
  const {form, versionInput, messages} = opts;
  const statusEl = form.querySelector("[data-save-status]");
  const body = opts.body || ((values) => values);
  let csrf = form.querySelector("input[name='csrf_token']").value;
  let inFlight = false, again = false, timer = null, retryDelay = 5000, conflict = null;
  let lastSaved = JSON.stringify(opts.read());
  // The form is on its way (no more autosaves), or waits for an autosave to finish first.
  let submitting = false, heldSubmit = null;
  // With heldValues: saves sent since the server last confirmed one, whose outcome this
  // page never learned (the answer was lost, or the tab closed first). If the server turns
  // out to hold exactly one of them, that is this page's own save, not a change elsewhere.
  const echoes = typeof opts.heldValues === "function";
  let unconfirmed = [];

  function version() { return parseInt(versionInput.value || "0", 10); }
  function say(text, state) {
    statusEl.textContent = text;
    statusEl.dataset.state = state;
  }
  function keepLocally() {
    const record = {[opts.storeAs]: opts.read(), base: version()};
    if (echoes) record.sent = unconfirmed[unconfirmed.length - 1] || null;
    record.at = Date.now();
    try {
      localStorage.setItem(opts.storageKey, JSON.stringify(record));
    } catch (e) { /* storage full or blocked: the page itself still holds the text */ }
  }
  function forget() { try { localStorage.removeItem(opts.storageKey); } catch (e) { /* ignore */ } }
  function stored() {
    try { return JSON.parse(localStorage.getItem(opts.storageKey) || "null"); } catch (e) { return null; }
  }
  function later(ms) {
    clearTimeout(timer);
    timer = setTimeout(() => { timer = null; save(); }, ms);
  }

  // The page's meta tag carries the session's current token: read it from a fresh copy.
  async function freshToken() {
    try {
      const page = await fetch(window.location.href, {credentials: "same-origin"});
      const html = await page.text();
      const match = html.match(/name="csrf-token" content="([^"]+)"/);
      if (match) {
        csrf = match[1];
        // The page's own buttons post the form: give it the fresh token too.
        form.querySelector("input[name='csrf_token']").value = csrf;
      }
    } catch (e) { /* offline: the retry below fails and is retried later */ }
  }

  async function save(options = {}) {
    if (conflict || submitting) return;
    const current = opts.read();
    const snapshot = JSON.stringify(current);
    if (snapshot === lastSaved && !options.force) return;
    if (inFlight) { again = true; return; }
    inFlight = true;
    const payload = JSON.stringify({...body(current), base_version: version()});
    if (echoes && !unconfirmed.includes(snapshot)) unconfirmed = unconfirmed.concat([snapshot]).slice(-10);
    keepLocally();
    say(messages.saving, "saving");
    let response = null;
    try {
      response = await fetch(opts.url, {
        method: "POST", credentials: "same-origin",
        // A closing page can only send a small body (64 kB) this way.
        keepalive: options.keepalive === true && new Blob([payload]).size < 60000,
        headers: {"Content-Type": "application/json", "Accept": "application/json",
                  "X-CSRFToken": csrf},
        body: payload,
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

  function saved(data, snapshot) {
    versionInput.value = data.version;
    lastSaved = snapshot;
    unconfirmed = [];
    retryDelay = 5000;
    if (JSON.stringify(opts.read()) === lastSaved) {
      forget();
      say(messages.saved(data.saved_at), "saved");
    } else {
      keepLocally();
      again = true;  // what was typed meanwhile goes next
    }
  }

  async function handle(response, snapshot, options) {
    let data = {};
    if (response) { try { data = await response.json(); } catch (e) { data = {}; } }
    // A 2xx without a version is not a save (say, a sign-in page after a redirect).
    if (response && response.ok && Number.isInteger(data.version)) {
      saved(data, snapshot);
      return;
    }
    if (response && response.status === 409 && data.error === "conflict") {
      if (echoes) {
        const theirs = JSON.stringify(opts.heldValues(data));
        if (theirs === snapshot || unconfirmed.includes(theirs)) {
          // The server holds exactly what this page sent: its own save, not a conflict.
          saved(data, theirs);
          return;
        }
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
      say(messages.signedOut, "error");
    } else if (response && (response.status === 409 || response.status === 422)) {
      say(messages.refused(data.message), "error");
    } else {
      say(messages.offline, "offline");
      later(retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    }
  }

  // No autosave until the person chooses (resolve): either text would overwrite the other.
  function showConflict(data) {
    conflict = data;
    say(messages.conflict, "conflict");
    opts.onConflict(data);
  }

  // The person chose: build on the other version, with `values` (if given) in the fields.
  function resolve(values) {
    if (!conflict) return;
    versionInput.value = conflict.version;
    if (values !== undefined) opts.fill(values);
    conflict = null;
    save({force: true});
  }

  // A field changed: keep it here at once, and save within a few seconds.
  function changed() {
    keepLocally();
    // Keep telling the person about an outage or a conflict while they write on.
    if (!conflict && statusEl.dataset.state !== "offline") say("Unsaved changes…", "dirty");
    // Save every few seconds while typing (not only after a pause); while the server
    // is unreachable the retry timer keeps its own pace.
    if (!timer) later(opts.typingDelay);
  }

  // Back online: try now, and start the back-off again from its shortest pause.
  function retry() {
    retryDelay = 5000;
    save();
  }

  // Coming back: restore anything this device kept that the server does not have yet.
  // Called by the page once its own conflict panel is ready.
  function restore() {
    const kept = stored();
    const values = kept && kept[opts.storeAs];
    if (!values || !opts.fits(values)) return;
    const server = opts.read();
    const serverText = JSON.stringify(server);
    if (JSON.stringify(values) === serverText) {
      forget();
    } else if (kept.base === version() || (echoes && kept.sent === serverText)) {
      // The server has not changed since, or what it holds is this device's own last save
      // (sent as the tab closed): this device's text is the newer one.
      opts.fill(values);
      say(messages.restored, "dirty");
      save({force: true});
    } else {
      opts.fill(values);
      showConflict({...body(server), version: version()});
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save({keepalive: true});
  });
  window.addEventListener("pagehide", () => save({keepalive: true}));
  window.addEventListener("pageshow", (event) => { if (event.persisted) submitting = false; });
  form.addEventListener("submit", (event) => {
    // The page may stop the post first (it asks a question on the page).
    if (opts.beforeSubmit && opts.beforeSubmit(event) === false) return;
    keepLocally();
    if (inFlight) {
      // An autosave is on its way (pressing the button took the focus out of the text,
      // which saves). Sent now, the form would race it and be refused as a conflict with
      // this page's own save: send it once the autosave is answered, with the new version.
      event.preventDefault();
      heldSubmit = event.submitter || opts.defaultButton || null;
      return;
    }
    submitting = true;
    clearTimeout(timer);
    timer = null;
    // The post carries the fields: the server keeps them or hands them back on the page.
    if (opts.forgetOnSubmit) forget();
  });

  // A panel under the status line showing the other version (``shown``: [label, text]
  // pairs; a null label shows the text alone) and the choice of whole versions: mine, or
  // theirs (``data``). ``marker`` is a data- attribute naming the panel.
  function offerChoice({marker, heading: title, shown, data, focus = true}) {
    const panel = document.createElement("div");
    panel.className = "conflict-panel";
    panel.setAttribute(marker, "");
    const heading = document.createElement("h3");
    heading.textContent = title;
    heading.tabIndex = -1;
    const intro = document.createElement("p");
    intro.textContent = "Your text is still in the boxes. The other version says:";
    panel.append(heading, intro);
    shown.forEach(([label, text]) => {
      if (label) {
        const p = document.createElement("p");
        p.className = "muted";
        p.textContent = label;
        panel.append(p);
      }
      const pre = document.createElement("pre");
      pre.className = "answer-text";
      pre.textContent = text;
      panel.append(pre);
    });
    const actions = document.createElement("div");
    actions.className = "actions";
    const choice = (label, keep) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = keep === "mine" ? "button primary" : "button";
      button.textContent = label;
      button.addEventListener("click", () => {
        panel.remove();
        resolve(keep === "theirs" ? data : undefined);
      });
      return button;
    };
    actions.append(choice("Keep my version", "mine"), choice("Use the other version", "theirs"));
    panel.append(actions);
    statusEl.after(panel);
    if (focus) heading.focus();
  }

  return {save, changed, resolve, retry, restore, offerChoice, read: opts.read};
};
