"""The compare page's word diff on answers of 1k, 10k and 50k characters.

Prints, for each size, the time to diff a pair with one word changed and a pair with many
changes (one word in eight rewritten), and whether the page budget cut the diff short
(it then shows the rest as one removal and one addition). This machine is shared, so
read the figures as orders of magnitude. Run: .venv/bin/python bench/diff.py
"""

import random
import time

from counsel.assignments.text import PAGE_BUDGET, diff_answers, word_diff

WORDS = ("I", "am", "sorry", "for", "what", "I", "said", "that", "night", "and", "the",
         "weeks", "before", "it", "when", "kept", "choosing", "work", "over", "you", "told",
         "myself", "was", "us")


def text(size: int, rng: random.Random) -> str:
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        if rng.random() < 0.08:
            word += "." if rng.random() < 0.7 else ",\n"
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def one_word_changed(old: str) -> str:
    middle = len(old) // 2
    return old[:middle] + " truly " + old[middle:]


def many_changes(old: str, rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) if rng.random() < 0.125 else w for w in old.split(" "))


def timed(old: str, new: str) -> tuple[float, bool]:
    start = time.perf_counter()
    diffs, coarse = diff_answers([old], [new])
    elapsed = time.perf_counter() - start
    pieces = diffs[0]
    assert "".join(p.text for p in pieces if p.kind != "insert") == old
    assert "".join(p.text for p in pieces if p.kind != "delete") == new
    return elapsed, coarse


def main() -> None:
    rng = random.Random(6)
    word_diff("warm up", "warm it up")
    print(f"page budget {PAGE_BUDGET:.2f} s")
    print(f"{'characters':>10}  {'one word changed':>18}  {'many changes':>24}")
    for size in (1_000, 10_000, 50_000):
        old = text(size, rng)
        one, _ = timed(old, one_word_changed(old))
        many, coarse = timed(old, many_changes(old, rng))
        note = " (budget reached)" if coarse else ""
        print(f"{size:>10,}  {one * 1000:>15.1f} ms  {many * 1000:>15.1f} ms{note}")


if __name__ == "__main__":
    main()
