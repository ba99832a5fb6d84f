"""Text helpers for reviewing work: word-level diffs between revisions, and splitting an
answer into plain and highlighted passages for anchored comments. Both return plain data
that templates render with autoescaping, so nothing a person typed is ever marked safe."""

import re
from difflib import SequenceMatcher
from typing import NamedTuple

TOKEN = re.compile(r"\s+|\S+")


class Piece(NamedTuple):
    kind: str  # "equal", "insert", "delete" for diffs; "text" or "mark" for passages
    text: str
    ref: int | None = None  # for "mark": the comment's number


def word_diff(old: str, new: str) -> list[Piece]:
    """Words and spaces removed from ``old`` and added in ``new``, in reading order.

    Words and runs of white space are separate tokens, so "sorry." followed by new text
    stays unchanged. A space that happens to match between two changes is folded into
    them, so a rewritten sentence reads as one removal and one addition, not a patchwork.
    """
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    runs: list[tuple[str, str, str]] = []  # (kind, old text, new text)
    for op, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        runs.append(("equal" if op == "equal" else "change",
                     "".join(a[i1:i2]), "".join(b[j1:j2])))
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
