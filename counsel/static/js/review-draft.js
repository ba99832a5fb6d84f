// Autosave for the counselor's unsent review (overall comment, checklist, decision): saved
// a few seconds after a change, when a field loses focus and when the tab is hidden. Text
// that has not reached the server yet (an outage) is kept in this browser's storage until
// it does, and restored if the page is reloaded. Without this script every button of the
// page posts these fields and the server keeps them. A save based on an older version of
// the draft (another tab saved meanwhile) shows the other version instead of overwriting
// it. The save loop itself is draft-saver.js, loaded first (shared with autosave.js).
"use strict";
(() => {
  const form = document.querySelector("form[data-review-draft-url]");
  if (!form) return;
  const overall = form.querySelector("textarea[name='overall_comment']");

  function read() {
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

  const saver = window.counselDraftSaver({
    form,
    url: form.dataset.reviewDraftUrl,
    versionInput: form.querySelector("input[name='review_version']"),
    storageKey: form.dataset.storageKey,
    storeAs: "fields",
    read,
    fill,
    fits: (fields) => typeof fields.overall_comment === "string",
    typingDelay: 2000,
    onConflict: showConflict,
    // Every button posts these fields: the server keeps them or shows them again.
    forgetOnSubmit: true,
    messages: {
      saving: "Saving draft…",
      saved: (time) => "Draft saved at " + time,
      signedOut: "Not saved — you were signed out. Your review is still on this page and kept in this browser: sign in again to save it.",
      refused: (message) => "Not saved — " + (message || "this could not be saved.") + " Your text is still on this page.",
      offline: "Not saved — the server did not answer. Your text is still on this page. Trying again…",
      restored: "Restored your unsaved review from this browser. Saving…",
      conflict: "Not saved — this review changed in another tab. Choose which version to keep.",
    },
  });

  // The other version's overall comment, and a choice of mine or theirs (the whole review).
  function showConflict(data) {
    saver.offerChoice({marker: "data-review-conflict", data,
                       heading: "This review was changed in another tab",
                       shown: [[null, data.overall_comment || "(no overall comment)"]],
                       focus: document.activeElement !== overall});
  }

  form.addEventListener("input", (event) => {
    if (event.target.matches("textarea[name='overall_comment'], input[type='radio']")) saver.changed();
  });
  form.addEventListener("change", (event) => {
    if (event.target.matches("input[type='radio']")) saver.save();
  });
  overall.addEventListener("blur", () => saver.save());
  window.addEventListener("online", () => saver.retry());
  // An idle sign-out is about to happen (idle.js): send what is unsaved first.
  document.addEventListener("counsel:save-now", () => saver.save());
  saver.restore();
})();
