"""Text helpers for reviewing work: word-level diffs between revisions, and splitting an
answer into plain and highlighted passages for anchored comments. Both return plain data
that templates render with autoescaping, so nothing a person typed is ever marked safe."""

import re
import time
from typing import NamedTuple

from diff_match_patch import diff_match_patch

TOKEN = re.compile(r"\s+|\S+")
# Seconds a compare page may spend diffing all its answers (a worker must never stall).
PAGE_BUDGET = 0.5
FOREVER = 3600.0


class Piece(NamedTuple):
    kind: str  # "equal", "insert", "delete" for diffs; "text" or "mark" for passages
    text: str
    ref: int | None = None  # for "mark": the comment's number


def _as_chars(a: list[str], b: list[str]) -> tuple[str, str, list[str]]:
    """Each distinct token as one character, so the character diff below is a token diff
    (diff-match-patch's own line mode does the same with lines)."""
    codes: dict[str, str] = {}
    tokens: list[str] = []

    def encode(seq: list[str]) -> str:
        out = []
        for token in seq:
            code = codes.get(token)
            if code is None:
                code = codes[token] = chr(len(tokens))
                tokens.append(token)
            out.append(code)
        return "".join(out)

    return encode(a), encode(b), tokens


def word_diff(old: str, new: str, deadline: float | None = None) -> list[Piece]:
    """Words and spaces removed from ``old`` and added in ``new``, in reading order.

    Words and runs of white space are separate tokens, so "sorry." followed by new text
    stays unchanged. A space that happens to match between two changes is folded into
    them, so a rewritten sentence reads as one removal and one addition, not a patchwork.

    The diff is Myers' (diff-match-patch), near linear when little changed. ``deadline``
    (a ``time.time()`` value) bounds it: past it, the parts not yet compared are shown as
    one removal and one addition, still correct, only coarser.
    """
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    chars_a, chars_b, tokens = _as_chars(a, b)
    matcher = diff_match_patch()
    runs: list[tuple[str, str, str]] = []  # (kind, old text, new text)
    for op, chars in matcher.diff_main(chars_a, chars_b, checklines=False,
                                       deadline=deadline or time.time() + FOREVER):
        text = "".join(tokens[ord(c)] for c in chars)
        if op == matcher.DIFF_EQUAL:
            runs.append(("equal", text, text))
        elif runs and runs[-1][0] == "change":
            kind, removed, added = runs[-1]
            runs[-1] = (kind, removed + (text if op == matcher.DIFF_DELETE else ""),
                        added + (text if op == matcher.DIFF_INSERT else ""))
        else:
            runs.append(("change", text if op == matcher.DIFF_DELETE else "",
                         text if op == matcher.DIFF_INSERT else ""))
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
