"""The commitment rules on their own (records.commitment), without the forms in front of them:
each refuses what the form would have refused, so removing a form's check still stores
nothing wrong; and the loader refuses another assignment's commitment."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from counsel import permissions
from counsel.assignments.operations import WorkRefused
from counsel.extensions import db
from counsel.models import Commitment, CommitmentFollowUp
from counsel.records import commitment as rules

from .. import factories

TODAY = date(2026, 12, 8)


@pytest.fixture
def work(people):
    exercise = factories.ExerciseFactory(owner=people["counselor"], kind="commitment")
    assignment = factories.AssignmentFactory(client=people["alex"], exercise=exercise)
    db.session.commit()
    return assignment


@pytest.fixture
def me(people):
    return people["alex"].user


def refused(code, change):
    with pytest.raises(WorkRefused) as caught:
        change()
    db.session.rollback()
    assert caught.value.code == code, caught.value.message
    return caught.value.message


@pytest.mark.parametrize(("text", "every", "code"), [
    ("", 7, "text"), (" \n ", 7, "text"), ("x" * 501, 7, "text"), ("a\x00", 7, "text"),
    ("a\ud800", 7, "text"), ("ok", 0, "every_days"), ("ok", 91, "every_days"),
    ("ok", None, "every_days"), ("ok", "7", "every_days"), ("ok", True, "every_days"),
])
def test_adding_refuses_what_cannot_be_stored(work, me, text, every, code):
    refused(code, lambda: rules.add(me, work, text=text, every_days=every, today=TODAY))
    assert db.session.scalars(select(Commitment)).all() == []


def test_the_rules_refuse_a_follow_up_out_of_its_days_or_outcomes(work, me):
    made = rules.add(me, work, text="  Listen first  ", every_days=7, today=TODAY)
    db.session.commit()
    assert made.text == "Listen first" and work.status == "in_progress"
    for day, outcome, code in ((TODAY + timedelta(days=1), "kept", "taken_on"),
                               (TODAY - timedelta(days=1), "kept", "taken_on"),
                               (TODAY, "maybe", "outcome")):
        refused(code, lambda d=day, o=outcome: rules.follow_up(
            me, made, taken_on=d, outcome=o, note=None, today=TODAY))
    refused("note", lambda: rules.follow_up(me, made, taken_on=TODAY, outcome="kept",
                                             note="n" * 1001, today=TODAY))
    rules.follow_up(me, made, taken_on=TODAY, outcome="kept", note="  ", today=TODAY)
    db.session.commit()
    assert "already followed up" in refused("taken_on", lambda: rules.follow_up(
        me, made, taken_on=TODAY, outcome="partly", note=None, today=TODAY))
    assert "stays as you made it" in refused("followed_up", lambda: rules.edit(
        me, made, text="Something else", every_days=3))
    saved = db.session.scalars(select(CommitmentFollowUp)).one()
    assert (saved.outcome, saved.note) == ("kept", None)


def test_closed_work_refuses_every_change(work, me):
    made = rules.add(me, work, text="Listen first", every_days=7, today=TODAY)
    db.session.commit()
    work._status = "withdrawn"
    db.session.commit()
    refused("withdrawn", lambda: rules.add(me, work, text="More", every_days=7, today=TODAY))
    refused("withdrawn", lambda: rules.edit(me, made, text="More", every_days=7))
    refused("withdrawn", lambda: rules.follow_up(me, made, taken_on=TODAY, outcome="kept",
                                                  note=None, today=TODAY))


def test_the_loader_refuses_another_assignment_s_commitment(app, work, me, people):
    other = factories.AssignmentFactory(client=people["alex"], exercise=work.exercise)
    made = rules.add(me, work, text="Listen first", every_days=7, today=TODAY)
    db.session.commit()
    with app.test_request_context():
        assert permissions.commitment_of(work, made.id) is made
        with pytest.raises(NotFound):
            permissions.commitment_of(other, made.id)


def test_a_long_history_lists_the_latest_and_counts_them_all(work):
    """Follow-ups are one a day at most, but a page must not grow for ever: it lists the
    latest ``HISTORY_SHOWN`` and counts every one."""
    made = Commitment(assignment=work, text="Call first", every_days=1,
                      starts_on=TODAY - timedelta(days=100))
    db.session.add(made)
    outcomes = ("kept", "partly", "not_yet")
    db.session.add_all(CommitmentFollowUp(commitment=made, outcome=outcomes[n % 3],
                                          taken_on=TODAY - timedelta(days=100 - n))
                       for n in range(90))
    db.session.commit()
    (shown,) = [rules.shown(c, TODAY) for c in rules.commitments_of(work)]
    assert shown.total == 90 and shown.earlier == 90 - rules.HISTORY_SHOWN
    assert len(shown.newest_first) == rules.HISTORY_SHOWN
    assert shown.newest_first[0].taken_on == TODAY - timedelta(days=11)
    assert shown.counts == {"kept": 30, "partly": 30, "not_yet": 30}
    assert shown.due.next_due == TODAY - timedelta(days=10)
