// The page that hands back text a server could not accept: keep that text in this browser
// tab, so the form it came from fills itself back in (counsel.js) once the person is signed
// in again. sessionStorage ends with the tab: nothing stays on a shared computer.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const holder = document.querySelector("[data-rescue-form]");
  if (!holder) return;
  const fields = {};
  holder.querySelectorAll("[data-rescue-name]").forEach((el) => {
    fields[el.dataset.rescueName] = el.value;
  });
  try {
    sessionStorage.setItem("counsel-rescued", JSON.stringify(
      {path: holder.dataset.rescueForm, fields, at: Date.now()}));
  } catch (e) { /* storage blocked: the text is still on this page to copy */ }
});
