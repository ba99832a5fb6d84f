"""The ORM guards on signed sessions (models/session_log.py) refuse changes to a signed
session and its parts, and nothing else: an addendum appended to a signed session and a
follow-up recorded (at a later session) on an agreement of a signed session only make the
signed rows "dirty" in SQLAlchemy's eyes, and must go through."""

import pytest

from counsel.extensions import db
from counsel.models import AgreementFollowUp, CounselingSession, SessionLocked
from counsel.session_log import signing

from .. import factories


@pytest.fixture
def signed(app, people):
    case = factories.CaseFactory(counselor=people["counselor"],
                                 partners=[people["alex"], people["sam"]])
    session = factories.CounselingSessionFactory(case=case, private_notes="as signed")
    agreement = factories.AgreementFactory(session=session)
    db.session.flush()
    signing.sign(people["counselor"], session)
    db.session.commit()
    return session, agreement


@pytest.mark.parametrize("fresh", [True, False])
def test_an_addendum_and_a_follow_up_reach_a_signed_session(app, people, signed, fresh):
    session, agreement = signed
    if fresh:
        db.session.expire_all()
        session = db.session.get(CounselingSession, session.id)
        agreement = session.agreements[0]
    later = factories.CounselingSessionFactory(case=session.case)
    signing.add_addendum(people["counselor"], session, "a correction")
    db.session.add(AgreementFollowUp(agreement=agreement, session=later, outcome="kept"))
    db.session.commit()
    assert [a.body for a in session.addenda] == ["a correction"]
    assert signing.intact(session) and len(agreement.follow_ups) == 1


def test_the_signed_rows_themselves_stay_frozen(app, people, signed):
    session, agreement = signed
    session.private_notes = "changed"
    with pytest.raises(SessionLocked):
        db.session.flush()
    db.session.rollback()
    agreement.text = "changed"
    with pytest.raises(SessionLocked):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(SessionLocked):
        factories.AgreementFactory(session=session)
    db.session.rollback()
