"""Migration 0009 gives every tracker assignment made before it a period, so no existing
no-contact tracker is left without one, and leaves its text answers as they were."""

from datetime import UTC, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import Draft, Tracker

from .. import factories


def test_existing_tracker_assignments_get_a_period_and_keep_their_answers(app, people):
    made = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    tracker = factories.AssignmentFactory(client=people["alex"], counselor=people["counselor"],
                                          kind="tracker", exercise__kind="tracker",
                                          prompts=["How is it going?"], created_at=made)
    letter = factories.AssignmentFactory(client=people["alex"], counselor=people["counselor"],
                                         kind="letter")
    db.session.add(Draft(assignment=tracker, answers=["Day three, hard but kept."]))
    db.session.commit()
    ids = tracker.id, letter.id
    db.session.remove()
    try:
        downgrade(revision="0008")
        upgrade(revision="0009")
    finally:
        upgrade()  # whatever happened, leave the test database at the head
    periods = db.session.scalars(select(Tracker)).all()
    assert [(p.assignment_id, p.starts_on.isoformat(), p.length_days) for p in periods] == [
        (ids[0], "2026-03-09", 30)]
    draft = db.session.scalars(select(Draft).where(Draft.assignment_id == ids[0])).one()
    assert draft.answers == ["Day three, hard but kept."]
