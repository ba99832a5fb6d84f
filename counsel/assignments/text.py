"""Text helpers for reviewing work: word-level diffs between revisions, and splitting an
answer into plain and highlighted passages for anchored comments. Both return plain data
that templates render with autoescaping, so nothing a person typed is ever marked safe."""

import re
import time
from difflib import SequenceMatcher
from typing import NamedTuple

from diff_match_patch import diff_match_patch

TOKEN = re.compile(r"\s+|\S+")
# Seconds a compare page may spend diffing all its answers (a worker must never stall).
PAGE_BUDGET = 0.5
# Changed passages up to this many (old x new) tokens are aligned by difflib, whose
# quadratic worst case is a few milliseconds at this size.
SMALL_PASSAGE = 250_000
FOREVER = 3600.0


class Piece(NamedTuple):
    kind: str  # "equal", "insert", "delete" for diffs; "text" or "mark" for passages
    text: str
    ref: int | None = None  # for "mark": the comment's number


def _as_chars(a: list, b: list) -> tuple[str, str, list]:
    """Each distinct unit (a token, or a sentence as a tuple of tokens) as one character,
    so a character diff of the results is a diff of the units (diff-match-patch's own
    line mode does the same with lines)."""
    codes: dict = {}
    units: list = []

    def encode(seq: list) -> str:
        out = []
        for unit in seq:
            code = codes.get(unit)
            if code is None:
                code = codes[unit] = chr(len(units))
                units.append(unit)
            out.append(code)
        return "".join(out)

    return encode(a), encode(b), units


def _myers(a: list, b: list, deadline: float) -> list[tuple[list, list]]:
    """(old units, new units) pairs, equal where both are the same list; diff-match-patch,
    which past ``deadline`` gives what is left as one removal and one addition."""
    chars_a, chars_b, units = _as_chars(a, b)
    matcher = diff_match_patch()
    pairs: list[tuple[list, list]] = []
    for op, chars in matcher.diff_main(chars_a, chars_b, checklines=False, deadline=deadline):
        part = [units[ord(c)] for c in chars]
        pairs.append((part, part) if op == matcher.DIFF_EQUAL else
                     (part, []) if op == matcher.DIFF_DELETE else ([], part))
    return pairs


def _sentences(tokens: list[str]) -> list[tuple[str, ...]]:
    """Tokens grouped into sentences: a sentence ends after a word ending in . ! or ?,
    or at a line break, and keeps the white space that follows it."""
    sentences, current = [], []
    for token in tokens:
        if len(current) > 1 and not token.isspace() and current[-1].isspace() and (
                "\n" in current[-1] or current[-2][-1] in ".!?"):
            sentences.append(tuple(current))
            current = []
        current.append(token)
    if current:
        sentences.append(tuple(current))
    return sentences


def _words(a: list[str], b: list[str], deadline: float) -> list[tuple[str, str, str]]:
    """Runs of (kind, old text, new text) for one changed passage, word by word: difflib
    for a passage small enough to be quick (it aligns repeated words the way people read
    them), diff-match-patch within the deadline for a larger one."""
    if not a or not b or time.time() >= deadline:
        return [("change", "".join(a), "".join(b))]
    if len(a) * len(b) <= SMALL_PASSAGE:
        return [("equal" if op == "equal" else "change", "".join(a[i1:i2]), "".join(b[j1:j2]))
                for op, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False)
                .get_opcodes()]
    return [("equal" if old is new else "change", "".join(old), "".join(new))
            for old, new in _myers(a, b, deadline)]


def word_diff(old: str, new: str, deadline: float | None = None) -> list[Piece]:
    """Words and spaces removed from ``old`` and added in ``new``, in reading order.

    Words and runs of white space are separate tokens, so "sorry." followed by new text
    stays unchanged. A space that happens to match between two changes is folded into
    them, so a rewritten sentence reads as one removal and one addition, not a patchwork.

    Sentences are compared first (Myers' diff from diff-match-patch, near linear when
    little changed), then words within the sentences that changed, so the work grows with
    the size of the changes, not of the answers. ``deadline`` (a ``time.time()`` value)
    bounds it: past it, what is not yet compared shows as one removal and one addition,
    still correct, only coarser.
    """
    deadline = deadline or time.time() + FOREVER
    removed_units: list = []
    added_units: list = []
    runs: list[tuple[str, str, str]] = []  # (kind, old text, new text)
    old_sentences = _sentences(TOKEN.findall(old))
    new_sentences = _sentences(TOKEN.findall(new))
    for old_part, new_part in _myers(old_sentences, new_sentences, deadline) + [([], None)]:
        if new_part is not old_part:
            removed_units += old_part
            added_units += new_part or []
            if new_part is not None:
                continue
        if removed_units or added_units:
            runs += _words([t for s in removed_units for t in s],
                           [t for s in added_units for t in s], deadline)
            removed_units, added_units = [], []
        if old_part:
            runs.append(("equal", "".join(t for s in old_part for t in s), ""))
    runs = [(kind, a, a if kind == "equal" else b) for kind, a, b in runs if a or b]
    for n in range(1, len(runs) - 1):
        kind, text, _ = runs[n]
        if kind == "equal" and text.isspace() and runs[n - 1][0] == runs[n + 1][0] == "change":
            runs[n] = ("change", text, text)
    pieces: list[Piece] = []
    removed = added = ""
    for kind, old_text, new_text in runs + [("equal", "", "")]:
        if kind == "change":
            removed, added = removed + old_text, added + new_text
            continue
        pieces += [Piece(k, t) for k, t in (("delete", removed), ("insert", added)) if t]
        removed = added = ""
        if old_text:
            if pieces and pieces[-1].kind == "equal":
                pieces[-1] = Piece("equal", pieces[-1].text + old_text)
            else:
                pieces.append(Piece("equal", old_text))
    return pieces


def diff_answers(olds: list[str], news: list[str], budget: float | None = None
                 ) -> tuple[list[list[Piece]], bool]:
    """Word diffs of each pair of answers within ``budget`` seconds for the whole page,
    and whether the budget ran out (some diffs are then coarser than they could be)."""
    deadline = time.time() + (PAGE_BUDGET if budget is None else budget)
    diffs = [word_diff(a, b, deadline) for a, b in zip(olds, news, strict=True)]
    return diffs, time.time() >= deadline


def diff_counts(pieces: list[Piece]) -> dict[str, int]:
    """How many words were added and removed."""
    counts = {"insert": 0, "delete": 0}
    for piece in pieces:
        if piece.kind in counts:
            counts[piece.kind] += len(piece.text.split())
    return counts


def commented(answers: list[str], comments) -> tuple[list[list[Piece]], dict[int, int]]:
    """Each answer split into passages for ``comments`` (ReviewComment rows, in order),
    and the number shown for each comment id."""
    numbered = {c.id: n for n, c in enumerate(comments, start=1)}
    return [passages(answer, [(c.start, c.end, numbered[c.id]) for c in comments
                              if c.prompt_index == index])
            for index, answer in enumerate(answers)], numbered


def passages(answer: str, anchors: list[tuple[int, int, int]]) -> list[Piece]:
    """Split ``answer`` into plain text and marked passages. ``anchors`` are
    (start, end, number); an anchor overlapping an earlier one is left unmarked (its
    comment still lists its quote)."""
    pieces, cursor = [], 0
    for start, end, number in sorted(anchors):
        if start < cursor or end > len(answer) or start >= end:
            continue
        if start > cursor:
            pieces.append(Piece("text", answer[cursor:start]))
        pieces.append(Piece("mark", answer[start:end], number))
        cursor = end
    if cursor < len(answer):
        pieces.append(Piece("text", answer[cursor:]))
    return pieces
