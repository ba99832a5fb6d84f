// Selecting words in an answer fills the "comment on a passage" form: which answer, the
// exact passage and where it starts. Without this script the counselor pastes the passage.
"use strict";
(() => {
  const form = document.querySelector("form[data-passage-form]");
  if (!form) return;
  const quote = form.querySelector("[name='quote']");
  const start = form.querySelector("[name='start']");
  const prompt = form.querySelector("[name='prompt_index']");

  // The server counts characters (code points); JavaScript strings count UTF-16 units, in
  // which an emoji is two. Offsets sent to the server are in characters.
  function characters(text) { return Array.from(text).length; }

  function textBefore(container, node, offset) {
    const range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return range;
  }

  function elementOf(node) {
    return node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  }

  document.addEventListener("mouseup", capture);
  document.addEventListener("keyup", capture);
  function capture() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    const startElement = elementOf(range.startContainer);
    const block = startElement && startElement.closest(".answer-text");
    if (!block || !block.contains(range.endContainer)) return;
    // Superscript comment numbers are not part of the client's text.
    const fragment = range.cloneContents();
    fragment.querySelectorAll("sup").forEach((sup) => sup.remove());
    const text = fragment.textContent;
    if (!text.trim()) return;
    const before = textBefore(block, range.startContainer, range.startOffset).cloneContents();
    before.querySelectorAll("sup").forEach((sup) => sup.remove());
    quote.value = text;
    start.value = String(characters(before.textContent));
    prompt.value = block.dataset.promptIndex;
  }

  // A passage typed or pasted by hand is found by its words, not by an old selection's place.
  quote.addEventListener("input", () => { start.value = ""; });
})();
