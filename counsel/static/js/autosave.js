// Autosave for a client's answers. Without this script the page still works (plain Save
// and Submit buttons); with it, writing is saved every few seconds, when a field loses
// focus and when the tab is hidden. Text that cannot reach the server is kept in this
// browser's storage and sent once the server answers again. A save based on an old
// version of the draft shows both texts instead of overwriting either, and lets the client
// keep, per answer, their version, the other one, or both. Submitting with some answers
// empty asks first. The save loop itself (timing, retries, storage, CSRF, held posts) is
// draft-saver.js, loaded first; this file says what is saved and shows the conflict panel.
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
  const panel = form.querySelector("[data-conflict-panel]");
  // The conflict the panel shows (the server's version), until the client chooses.
  let conflict = null;
  const saver = window.counselDraftSaver({
    form,
    url: form.dataset.autosaveUrl,
    versionInput: form.querySelector("input[name='base_version']"),
    storageKey: key,
    storeAs: "answers",
    read: () => fields.map((f) => f.value),
    fill: (texts) => texts.forEach((text, i) => { fields[i].value = text; }),
    fits: (texts) => Array.isArray(texts) && texts.length === fields.length,
    body: (texts) => ({answers: texts}),
    // A 409 names the answers the server holds: if this page sent exactly those (say, as
    // the tab closed, its answer lost), that is its own save, not a change made elsewhere.
    heldValues: (data) => data.answers,
    typingDelay: 3000,
    onConflict: showConflict,
    beforeSubmit: confirmSubmit,
    // Without a pressed button (requestSubmit()), a held post uses the form's first one.
    defaultButton: form.querySelector("button[type='submit']"),
    messages: {
      saving: "Saving…",
      saved: (time) => "Saved at " + time,
      signedOut: "Not saved — you were signed out. Your text is kept on this device; sign in again to save it.",
      refused: (message) => "Not saved — " + (message || "this could not be saved") + " Your text is kept on this device.",
      offline: "Not saved — kept on this device. Trying again…",
      restored: "Restored your unsaved text from this device. Saving…",
      conflict: "Not saved — this changed somewhere else. Choose which version to keep.",
    },
  });

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
      const texts = merged(button.dataset.keep);
      conflict = null;
      panel.hidden = true;
      saver.resolve(texts);
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

  // Run by the saver before it holds or lets the post go: false stops the post.
  function confirmSubmit(event) {
    const submitter = event.submitter;
    if (submitter && submitter.value === "submit") {
      const empty = fields.filter((f) => !f.value.trim());
      if (empty.length && empty.length < fields.length) {
        event.preventDefault();
        askAboutEmpty(empty);
        return false;
      }
    }
    return true;
  }

  fields.forEach((field) => {
    field.addEventListener("input", () => saver.changed());
    field.addEventListener("blur", () => saver.save());
  });
  window.addEventListener("online", () => saver.retry());
  // An idle sign-out is about to happen (idle.js): send what is unsaved first.
  document.addEventListener("counsel:save-now", () => saver.save());
  saver.restore();
})();
