"""Word-level diffs and anchored passages."""

from hypothesis import given
from hypothesis import strategies as st

from counsel.assignments.text import Piece, diff_counts, passages, word_diff


def test_word_diff_marks_added_and_removed_words():
    pieces = word_diff("I was busy with work. Sorry.", "I chose work over you. Sorry.")
    assert pieces == [Piece("equal", "I "), Piece("delete", "was busy with work."),
                      Piece("insert", "chose work over you."), Piece("equal", " Sorry.")]
    assert diff_counts(pieces) == {"insert": 4, "delete": 4}


def test_text_added_after_a_word_is_only_an_addition():
    pieces = word_diff("I am sorry.", "I am sorry. I will change.\nTruly.")
    assert pieces == [Piece("equal", "I am sorry."), Piece("insert", " I will change.\nTruly.")]


def test_identical_texts_have_no_changes():
    assert word_diff("same words", "same words") == [Piece("equal", "same words")]
    assert word_diff("", "") == []


@given(st.text(), st.text())
def test_diff_rebuilds_both_texts(old, new):
    pieces = word_diff(old, new)
    assert "".join(p.text for p in pieces if p.kind != "insert") == old
    assert "".join(p.text for p in pieces if p.kind != "delete") == new


def test_passages_mark_anchored_ranges_in_order():
    text = "I am sorry for what I said."
    pieces = passages(text, [(15, 26, 2), (0, 10, 1)])
    assert pieces == [Piece("mark", "I am sorry", 1), Piece("text", " for "),
                      Piece("mark", "what I said", 2), Piece("text", ".")]


def test_overlapping_and_stale_anchors_are_left_unmarked():
    text = "abcdef"
    pieces = passages(text, [(0, 4, 1), (2, 5, 2), (4, 99, 3)])
    assert [p.kind for p in pieces] == ["mark", "text"]
    assert "".join(p.text for p in pieces) == text


@given(st.text(), st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=5))
def test_passages_never_lose_or_add_text(text, ranges):
    anchors = [(a, b, n) for n, (a, b) in enumerate(ranges)]
    assert "".join(p.text for p in passages(text, anchors)) == text


def _essay(words: int, seed: int = 6) -> str:
    import random

    rng = random.Random(seed)
    vocabulary = ("I", "am", "sorry", "for", "what", "said", "that", "night", "and", "the")
    return " ".join(rng.choice(vocabulary) + ("." if n % 11 == 10 else "")
                    for n in range(words))


def test_one_word_changed_in_a_long_answer_is_one_small_change():
    old = _essay(9_000)
    middle = len(old) // 2
    new = old[:middle] + " truly " + old[middle:]
    pieces = word_diff(old, new)
    changed = [p for p in pieces if p.kind != "equal"]
    assert sum(len(p.text) for p in changed) < 20, changed
    assert "".join(p.text for p in pieces if p.kind != "insert") == old
    assert "".join(p.text for p in pieces if p.kind != "delete") == new


def test_a_spent_budget_gives_a_coarser_diff_that_is_still_correct():
    from counsel.assignments.text import diff_answers

    old = _essay(2_000, seed=1)
    new = _essay(2_000, seed=2)
    (pieces,), coarse = diff_answers([old], [new], budget=0.0)
    assert coarse
    assert "".join(p.text for p in pieces if p.kind != "insert") == old
    assert "".join(p.text for p in pieces if p.kind != "delete") == new
    (fine,), coarse = diff_answers([old], [new], budget=30.0)
    assert not coarse and len(fine) > len(pieces)


sentences = st.lists(st.sampled_from(["I", "am", "sorry", "you", "were", "right", ".", "!",
                                      " ", "  ", "\n", "\n\n", "again."]), max_size=60).map(
    lambda parts: " ".join(parts))


@given(sentences, sentences, st.sampled_from([None, 0.0]))
def test_sentence_first_diff_rebuilds_both_texts_in_or_out_of_budget(old, new, budget):
    import time

    deadline = None if budget is None else time.time() + budget
    pieces = word_diff(old, new, deadline)
    assert "".join(p.text for p in pieces if p.kind != "insert") == old
    assert "".join(p.text for p in pieces if p.kind != "delete") == new
    assert all(p.text for p in pieces)
    kinds = [p.kind for p in pieces]
    assert all(not (a == b == "equal") for a, b in zip(kinds, kinds[1:], strict=False))


def test_a_changed_sentence_among_many_is_aligned_word_by_word():
    same = "We talked for an hour. " * 300
    old = same + "I made you doubt yourself. " + same
    new = same + "I told you that you were imagining things. " + same
    changed = [(p.kind, p.text.strip()) for p in word_diff(old, new) if p.kind != "equal"]
    assert changed == [("delete", "made"), ("insert", "told"), ("delete", "doubt yourself."),
                       ("insert", "that you were imagining things.")]
