// Warns before an idle sign-out and lets the person stay signed in (SECURITY.md 5). The
// server decides: this script asks it how long is left (a question that does not count as
// activity) and, on "Stay signed in", tells it the person is here. Typing or tapping on the
// page counts as being here too. When time runs out, any unsaved writing is sent first
// (autosave.js listens for "counsel:save-now"), then the page goes to sign-in.
"use strict";
(() => {
  const body = document.body;
  const statusUrl = body.dataset.idleStatusUrl;
  const dialog = document.querySelector("[data-idle-dialog]");
  if (!statusUrl || !dialog) return;
  const keepAliveUrl = body.dataset.keepAliveUrl;
  const warning = parseFloat(body.dataset.idleWarning) * 1000;
  const countdown = dialog.querySelector("[data-idle-countdown]");
  const problem = dialog.querySelector("[data-idle-problem]");
  const button = dialog.querySelector("[data-stay-signed-in]");
  const csrf = document.querySelector("meta[name='csrf-token']").content;
  let deadline = Date.now() + parseFloat(body.dataset.idleRemaining) * 1000;
  let timer = null, ticker = null, lastTouch = Date.now(), lastActivity = 0;

  ["keydown", "pointerdown", "input"].forEach((type) => {
    document.addEventListener(type, (event) => {
      if (!dialog.contains(event.target)) lastActivity = Date.now();
    }, {capture: true, passive: true});
  });

  function at(ms, fn) { clearTimeout(timer); timer = setTimeout(fn, Math.max(0, ms - Date.now())); }
  function plan() { at(deadline - warning, check); }

  // Seconds left according to the server: 0 when signed out, null when unreachable.
  async function ask(method) {
    const headers = {"Accept": "application/json"};
    if (method === "POST") headers["X-CSRFToken"] = csrf;
    try {
      const response = await fetch(method === "POST" ? keepAliveUrl : statusUrl,
                                   {method, headers, credentials: "same-origin"});
      if (response.status === 401) return 0;
      if (!response.ok) return null;
      const data = await response.json();
      return typeof data.remaining === "number" ? data.remaining : null;
    } catch (e) { return null; }
  }

  function words(ms) {
    const seconds = Math.max(0, Math.round(ms / 1000));
    if (seconds >= 60) {
      const minutes = Math.round(seconds / 60);
      return minutes + (minutes === 1 ? " minute" : " minutes");
    }
    return seconds + (seconds === 1 ? " second" : " seconds");
  }
  function show() {
    const wasHidden = dialog.hidden;
    dialog.hidden = false;
    countdown.textContent = words(deadline - Date.now());
    clearInterval(ticker);
    // Update the words each minute, then each 15 s: not so often that a screen reader chatters.
    ticker = setInterval(() => { countdown.textContent = words(deadline - Date.now()); }, 15000);
    if (wasHidden) button.focus();
  }
  function hide() { dialog.hidden = true; problem.hidden = true; clearInterval(ticker); }
  function signedOut() {
    hide();
    const next = window.location.pathname + window.location.search;
    window.location.assign(body.dataset.signInUrl + "?next=" + encodeURIComponent(next) +
                           "&signed_out=idle");
  }

  async function check() {
    const left = await ask("GET");
    if (left === null) { deadline = Date.now() + warning + 30000; plan(); return; }
    if (left === 0) { signedOut(); return; }
    deadline = Date.now() + left * 1000;
    if (left * 1000 > warning + 1000) { hide(); plan(); return; }
    if (lastActivity > lastTouch) { stay(); return; }
    show();
    at(deadline - 5000, finish);
  }

  async function stay() {
    const left = await ask("POST");
    if (left === null) { problem.hidden = false; show(); return; }
    if (left === 0) { signedOut(); return; }
    lastTouch = Date.now();
    deadline = lastTouch + left * 1000;
    hide();
    plan();
  }

  // Time is nearly up: save what is unsaved, then see whether the server still agrees.
  function finish() {
    document.dispatchEvent(new CustomEvent("counsel:save-now"));
    at(deadline + 1000, async () => {
      const left = await ask("GET");
      if (left === 0) { signedOut(); return; }
      deadline = Date.now() + (left === null ? warning + 30000 : left * 1000);
      if (deadline - Date.now() > warning) hide();
      plan();
    });
  }

  button.addEventListener("click", stay);
  plan();
})();
