// Selecting words in an answer fills the "comment on a passage" form: which answer, the
// exact passage and where it starts. Without this script the counselor pastes the passage.
"use strict";
(() => {
  const form = document.querySelector("form[data-passage-form]");
  if (!form) return;
  const quote = form.querySelector("[name='quote']");
  const start = form.querySelector("[name='start']");
  const prompt = form.querySelector("[name='prompt_index']");

  function offsetWithin(container, node, offset) {
    const range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  document.addEventListener("mouseup", capture);
  document.addEventListener("keyup", capture);
  function capture() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    const block = range.startContainer.parentElement &&
      range.startContainer.parentElement.closest(".answer-text");
    if (!block || !block.contains(range.endContainer)) return;
    // Superscript comment numbers are not part of the client's text.
    const fragment = range.cloneContents();
    fragment.querySelectorAll("sup").forEach((sup) => sup.remove());
    const text = fragment.textContent;
    const begin = offsetWithin(block, range.startContainer, range.startOffset);
    const marks = Array.from(block.querySelectorAll("sup"));
    let before = 0;
    marks.forEach((sup) => {
      const r = document.createRange();
      r.selectNodeContents(block);
      r.setEndBefore(sup);
      if (r.toString().length < begin) before += sup.textContent.length;
    });
    quote.value = text;
    start.value = String(begin - before);
    prompt.value = block.dataset.promptIndex;
  }
})();
