// Autosave for the session page's text (shared summary, private notes and the mediation
// outline): saved a few seconds after a change, when a box loses focus and when the tab is
// hidden. Text that has not reached the server yet (an outage) is kept in this browser's
// storage until it does, and restored if the page is reloaded. Without this script the
// "Save session" button posts the same fields. A save based on an older version (another
// tab saved meanwhile) shows the other version instead of overwriting it. The save loop is
// draft-saver.js, loaded first.
"use strict";
(() => {
  const form = document.querySelector("form[data-session-autosave-url]");
  if (!form) return;
  const NAMES = ["shared_summary", "private_notes", "agenda", "perspectives", "acknowledged",
                 "next_steps"];
  const box = (name) => form.querySelector(`textarea[name='${name}']`);

  function read() {
    const values = {};
    NAMES.forEach((name) => { values[name] = box(name) ? box(name).value : ""; });
    return values;
  }
  function fill(data) {
    NAMES.forEach((name) => { if (box(name)) box(name).value = data[name] || ""; });
  }

  const saver = window.counselDraftSaver({
    form,
    url: form.dataset.sessionAutosaveUrl,
    versionInput: form.querySelector("input[name='session_version']"),
    storageKey: form.dataset.storageKey,
    storeAs: "notes",
    read,
    fill,
    fits: (values) => values && typeof values.private_notes === "string",
    typingDelay: 2000,
    onConflict: showConflict,
    forgetOnSubmit: true,
    heldValues: (data) => {
      const held = {};
      NAMES.forEach((name) => { held[name] = data[name] || ""; });
      return held;
    },
    messages: {
      saving: "Saving…",
      saved: (time) => "Saved at " + time,
      signedOut: "Not saved — you were signed out. Your notes are still on this page and kept in this browser: sign in again to save them.",
      refused: (message) => "Not saved — " + (message || "this could not be saved.") + " Your text is still on this page.",
      offline: "Not saved — the server did not answer. Your text is still on this page. Trying again…",
      restored: "Restored your unsaved notes from this browser. Saving…",
      conflict: "Not saved — this session changed in another tab. Choose which version to keep.",
    },
  });

  function showConflict(data) {
    const shown = NAMES.filter((name) => data[name] && box(name)).map((name) => [
      form.querySelector(`label[for='${box(name).id}']`).textContent, data[name]]);
    saver.offerChoice({marker: "data-session-conflict", data, shown,
                       heading: "These notes were changed in another tab"});
  }

  NAMES.forEach((name) => {
    const el = box(name);
    if (!el) return;
    el.addEventListener("input", () => saver.changed());
    el.addEventListener("blur", () => saver.save());
  });
  window.addEventListener("online", () => saver.retry());
  // An idle sign-out is about to happen (idle.js): send what is unsaved first.
  document.addEventListener("counsel:save-now", () => saver.save());
  saver.restore();
})();
