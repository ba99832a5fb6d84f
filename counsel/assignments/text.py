"""Text helpers for reviewing work: word-level diffs between revisions, and splitting an
answer into plain and highlighted passages for anchored comments. Both return plain data
that templates render with autoescaping, so nothing a person typed is ever marked safe."""

import re
from difflib import SequenceMatcher
from typing import NamedTuple

TOKEN = re.compile(r"\S+\s*|\s+")  # a word with the spaces after it


class Piece(NamedTuple):
    kind: str  # "equal", "insert", "delete" for diffs; "text" or "mark" for passages
    text: str
    ref: int | None = None  # for "mark": the comment's number


def word_diff(old: str, new: str) -> list[Piece]:
    """Words and spaces removed from ``old`` and added in ``new``, in reading order."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(Piece("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(Piece("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(Piece("insert", "".join(b[j1:j2])))
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
