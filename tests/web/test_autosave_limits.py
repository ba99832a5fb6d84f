"""The 50,000-character limit on the JSON autosave path (the form path is tested in
test_work.py): one character over is a 422 that stores nothing; exactly the limit is
stored and reads back byte-identical."""

import pytest
from sqlalchemy import select

from counsel.assignments.operations import MAX_ANSWER
from counsel.extensions import db
from counsel.models import Assignment, AuditEvent

from .workflow import current_version, fresh, letter, save

# Letters, a two-byte Cyrillic letter, a four-byte emoji (one code point), markup and
# white space: the limit counts characters, and nothing may be altered on the way.
SAMPLE = "a ж😀<&>\"'\t\n"


def text_of(length: int) -> str:
    return (SAMPLE * (length // len(SAMPLE) + 1))[:length]


@pytest.fixture
def alex_letter(people, auth):
    assignment = letter(people, prompts=("What happened?", "What will change?"))
    auth.login(people["alex"].user)
    return assignment


def saves() -> int:
    return len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "draft.save")).all())


def test_the_limit_is_fifty_thousand():
    assert MAX_ANSWER == 50_000


@pytest.mark.parametrize("index", [0, 1])
def test_one_character_over_is_refused_and_nothing_is_stored(client, alex_letter, index):
    answers = ["", ""]
    answers[index] = text_of(MAX_ANSWER + 1)
    response = save(client, alex_letter, answers)
    assert response.status_code == 422
    assert response.json["error"] == "too_long"
    assert f"Answer {index + 1}" in response.json["message"]
    assert "50,000" in response.json["message"]
    stored = fresh(Assignment, alex_letter.id)
    assert stored.draft is None and stored.status == "assigned"
    assert saves() == 0


def test_over_the_limit_leaves_the_saved_draft_as_it_was(client, alex_letter):
    assert save(client, alex_letter, ["first words", ""]).status_code == 200
    response = save(client, alex_letter, [text_of(MAX_ANSWER + 1), "more"], version=1)
    assert response.status_code == 422 and response.json["error"] == "too_long"
    draft = fresh(Assignment, alex_letter.id).draft
    assert draft.answers == ["first words", ""] and draft.version == 1
    assert saves() == 1


def test_exactly_the_limit_is_stored_and_reads_back_byte_identical(client, alex_letter):
    answers = [text_of(MAX_ANSWER), text_of(MAX_ANSWER)[::-1]]
    assert len(answers[0]) == len(answers[1]) == MAX_ANSWER
    response = save(client, alex_letter, answers)
    assert response.status_code == 200 and response.json["version"] == 1
    stored = fresh(Assignment, alex_letter.id).draft.answers
    assert [a.encode() for a in stored] == [a.encode() for a in answers]
    # Read back through the autosave answer itself: a stale save gets the stored text.
    conflict = save(client, alex_letter, ["something else", ""], version=0)
    assert conflict.status_code == 409
    assert [a.encode() for a in conflict.json["answers"]] == [a.encode() for a in answers]
    assert current_version(alex_letter) == 1
