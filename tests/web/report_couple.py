"""A small couple's case with something in every section of a progress report, for the
report tests that need no demo practice: alex and sam, each with a reviewed revision of an
exercise; a signed joint session (summary, private notes, an agreement) and a signed
later one following the agreement up; a safety flag. ``text(tag)`` makes each typed
field's words, so a test can put markup or very long words into every one of them."""

from datetime import timedelta

from counsel.assignments import operations
from counsel.cases import operations as cases
from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import AgreementFollowUp, utcnow
from counsel.session_log import signing

from .. import factories


def plain(tag: str) -> str:
    return f"plain {tag} words"


def build(people, text=plain) -> dict:
    counselor, alex, sam = people["counselor"], people["alex"], people["sam"]
    case = factories.CaseFactory(counselor=counselor, partners=[alex, sam],
                                 name=text("case")[:120])
    exercise = factories.ExerciseFactory(
        owner=counselor, kind="letter", stage="apology", title=text("title")[:120],
        prompts=[factories.ExercisePrompt(position=0, text=text("prompt"))])
    db.session.flush()
    revisions = {}
    for client in (alex, sam):
        assignment = factories.AssignmentFactory(
            client=client, exercise=exercise, due_date=practice_today() + timedelta(days=3))
        assignment.case_id = case.id
        db.session.flush()
        revision = operations.submit(client.user, assignment, [text(f"{client.user.email}")],
                                     None)
        operations.send_review(counselor, revision, decision="accept", rubric=None,
                               overall_comment=text("overall"))
        revisions[client.id] = revision
    session = factories.CounselingSessionFactory(
        case=case, starts_at=utcnow() - timedelta(days=3), shared_summary=text("summary"),
        private_notes=text("private"))
    db.session.flush()
    agreement = factories.AgreementFactory(session=session, case_id=case.id,
                                           text=text("agreement"))
    db.session.flush()
    signing.sign(counselor, session)
    later = factories.CounselingSessionFactory(
        case=case, starts_at=utcnow() - timedelta(days=1), shared_summary=text("later"),
        private_notes=text("private2"))
    db.session.flush()
    db.session.add(AgreementFollowUp(agreement_id=agreement.id, session=later, outcome="kept",
                                     note=text("followup")))
    db.session.flush()
    signing.sign(counselor, later)
    cases.set_safety_flag(counselor, case, text("flag")[:5000])
    db.session.commit()
    return {"case": case, "session": session, "later": later, "agreement": agreement,
            "alex_revision": revisions[alex.id], "sam_revision": revisions[sam.id],
            "alex": alex, "sam": sam}
