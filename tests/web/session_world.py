"""A couple's case for the session-log tests: alex and sam with the counselor, each
screened (so joint sessions need no confirmation unless a test removes a screening), and
the form data a browser posts for a session."""

from datetime import date, timedelta

from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import SafetyScreening

from .. import factories


def couple_case(people, screened=True):
    case = factories.CaseFactory(partners=[people["alex"], people["sam"]],
                                 counselor=people["counselor"], name="Alex and Sam")
    db.session.flush()
    if screened:
        for partner in (people["alex"], people["sam"]):
            db.session.add(SafetyScreening(case_id=case.id, client_id=partner.id,
                                           screened_on=practice_today(), outcome="no_concerns",
                                           recorded_by_id=people["counselor"].id))
    db.session.commit()
    return case


def session_form(people, day: date | None = None, **changes) -> dict:
    day = day or practice_today() - timedelta(days=1)
    data = {"date": day.isoformat(), "start_time": "14:00", "end_time": "14:50",
            "format": "in_person", "type": "joint",
            "attendees": [str(people["alex"].id), str(people["sam"].id)],
            "shared_summary": "We talked about listening.",
            "private_notes": "Sam seemed guarded.", "agenda": "", "perspectives": "",
            "acknowledged": "", "next_steps": ""}
    data.update(changes)
    return data


def signed_session(people, case=None):
    """A signed joint session of the couple's case with an agreement."""
    from counsel.session_log import signing

    case = case or couple_case(people)
    session = factories.CounselingSessionFactory(case=case, shared_summary="shared words",
                                                 private_notes="private words")
    db.session.flush()
    factories.AgreementFactory(session=session, case_id=case.id)
    db.session.flush()
    db.session.refresh(session)
    signing.sign(people["counselor"], session)
    db.session.commit()
    return session
