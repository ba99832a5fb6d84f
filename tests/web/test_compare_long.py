"""The compare page stays bounded for the longest answers a client can save."""

import re

from counsel.extensions import db
from counsel.models import Revision

from .workflow import letter

ANSWER = 50_000


def _answer(seed: int) -> str:
    import random

    rng = random.Random(seed)
    words = ("I", "am", "sorry", "for", "what", "said", "that", "night", "and", "the")
    text = " ".join(rng.choice(words) for _ in range(ANSWER // 3))
    return text[:ANSWER]


def _two_revisions(people, first: str, second: str):
    assignment = letter(people)
    for number, text in ((1, first), (2, second)):
        db.session.add(Revision(assignment=assignment, number=number, answers=[text],
                                content_hash=str(number)))
    db.session.commit()
    return assignment


def test_compare_page_renders_a_50000_character_pair_with_the_one_change(client, auth,
                                                                        people):
    old = _answer(1)[:ANSWER - 6]
    middle = old.index(" ", ANSWER // 2)
    new = old[:middle] + " truly" + old[middle:]
    assert len(new) == ANSWER
    assignment = _two_revisions(people, old, new)
    auth.login(people["counselor"])
    page = client.get(f"/assignments/{assignment.id}/compare")
    assert page.status_code == 200
    diff = page.text.split('class="answer-text diff"', 1)[1]
    changes = re.findall(r"<(ins|del)>([^<]*)</\1>", diff)
    assert [(kind, text.strip()) for kind, text in changes] == [("ins", "truly")]
    assert "1 word added, 0 removed" in page.text
    assert "word by word" not in page.text  # the budget was not needed


def test_compare_page_says_when_the_budget_made_it_coarser(app, client, auth, people,
                                                          monkeypatch):
    from counsel.assignments import text

    monkeypatch.setattr(text, "PAGE_BUDGET", 0.0)
    assignment = _two_revisions(people, _answer(1), _answer(2))
    auth.login(people["counselor"])
    page = client.get(f"/assignments/{assignment.id}/compare")
    assert page.status_code == 200
    assert "rather than word by word" in page.text
