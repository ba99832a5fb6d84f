"""One caseload in every state a page can show, built through the operations (as the
views would), so the header, escaping and audit tests can open every page that holds
clinical or counselor-typed text.

``text(tag)`` makes the words stored in each field; the escaping tests pass markup, the
others plain words. Each field gets its own tag, so a test can say which field leaked.
"""

import hashlib
from datetime import timedelta

from counsel.assignments import operations
from counsel.cases import operations as cases
from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import Assignment, utcnow
from counsel.reports import operations as reports
from counsel.reports.audiences import audience_from_token
from counsel.session_log import operations as session_operations
from counsel.session_log import signing

from .. import factories
from . import scene_partners


def plain(tag: str) -> str:
    return f"plain {tag} words"


def build(people, text=plain) -> dict:
    """Alex (on the counselor's caseload) has:

    - ``reviewed``: an overdue letter submitted twice, each revision reviewed and sent
      back with a passage comment and an overall comment; now "revision requested";
    - ``waiting``: the same exercise submitted once, with an unsent passage comment;
    - ``case``: alex's individual case holding both, with a safety flag and a screening.
    """
    counselor, alex = people["counselor"], people["alex"]
    counselor.name = text("cname")
    alex.user.name = text("name")
    alex.preferred_name = text("pref")
    alex.pronouns = text("pron")[:40]
    alex.phone = text("phone")[:40]
    exercise = factories.ExerciseFactory(
        owner=counselor, kind="letter", stage="apology", title=text("title"),
        purpose=text("purpose"),
        instructions=f"{text('instructions')}\n\n- {text('item')}",
        prompts=[factories.ExercisePrompt(position=0, text=text("prompt1")),
                 factories.ExercisePrompt(position=1, text=text("prompt2"))])
    reviewed = factories.AssignmentFactory(client=alex, exercise=exercise, note=text("note"),
                                           due_date=practice_today() - timedelta(days=2))
    waiting = factories.AssignmentFactory(client=alex, exercise=exercise)
    db.session.commit()

    def answers(n):
        return [f"Revision {n}: {text('answer')} then {text('quote')} end.",
                f"Second answer {n}."]

    def send_back(revision, n):
        operations.add_comment(counselor, revision, prompt_index=0, quote=text("quote"),
                               start=None, body=text("comment"))
        operations.send_review(counselor, revision, decision="request_revision",
                               overall_comment=text("overall"), rubric={"specific": "met"})
        db.session.commit()

    user = alex.user
    first = operations.submit(user, reviewed, answers(1), None)
    db.session.commit()
    send_back(first, 1)
    second = operations.submit(user, reviewed, answers(2), reviewed.draft.version)
    db.session.commit()
    send_back(second, 2)
    unsent = operations.submit(user, waiting, answers(1), None)
    operations.add_comment(counselor, unsent, prompt_index=0, quote=text("quote"), start=None,
                           body=text("unsent"))
    db.session.commit()
    assert db.session.get(Assignment, reviewed.id).status == "revision_requested"
    case = cases.open_case(counselor, text("case")[:120], [alex])
    cases.set_safety_flag(counselor, case, text("flag"))
    cases.record_screening(counselor, case, alex, practice_today(), "concerns", text("screening"))
    reviewed.case_id = waiting.case_id = case.id
    db.session.commit()
    built = {"reviewed": reviewed, "waiting": waiting, "alex": alex, "counselor": counselor,
             "case": case}
    built |= scene_partners.build(people, built, text)
    couple = built["joint"].case
    signed, open_session = _sessions(people, couple, text)
    return built | {"signed": signed, "open": open_session, "couple": couple,
                    "report": _report(people, couple, text)}


def _sessions(people, case, text):
    """In the couple's case of alex and sam: a signed joint session (summary, private notes,
    the mediation outline, an agreement, an addendum) and a later open one following up
    that agreement, all through the operations."""
    counselor, alex, sam = people["counselor"], people["alex"], people["sam"]
    case.name = text("case")[:120]
    texts = {"shared_summary": text("summary"), "private_notes": text("private"),
             "agenda": text("agenda"), "perspectives": text("perspectives"),
             "acknowledged": text("acknowledged"), "next_steps": text("steps")}
    when = utcnow() - timedelta(days=8)
    signed = session_operations.create_session(
        counselor, case, starts_at=when, duration_minutes=50, format="video", type="joint",
        attendee_ids=[alex.id, sam.id], texts=texts, confirm_screening=True)
    agreement = session_operations.add_agreement(counselor, signed, text=text("agreement"),
                                                 binds_client_id=None, follow_up_on=None)
    signing.sign(counselor, signed)
    signing.add_addendum(counselor, signed, text("addendum"))
    open_session = session_operations.create_session(
        counselor, case, starts_at=when + timedelta(days=7), duration_minutes=50,
        format="in_person", type="joint", attendee_ids=[alex.id, sam.id],
        texts={"private_notes": text("private2")}, confirm_screening=True)
    session_operations.record_follow_up(counselor, open_session, agreement, outcome="partly",
                                        note=text("followup"))
    db.session.commit()
    return signed, open_session


def _report(people, case, text):
    """The couple's progress report: the counselor's preparation (narrative and next
    steps) and the joint version in the archive. It is stored as if rendered: the pages
    need the row, not WeasyPrint's time."""
    counselor = people["counselor"]
    prep = reports.preparation_for(counselor, case)
    reports.save_preparation(counselor, case, prep, since=prep.since, until=prep.until,
                             audience="joint", excerpts=[], narrative=text("narrative"),
                             next_steps=text("reportsteps"), allowed_excerpts=set())
    report = reports.request_report(counselor, case, audience_from_token(case, "joint"),
                                    prep.since, prep.until, excerpts=[],
                                    narrative=prep.narrative, next_steps=prep.next_steps)
    pdf = b"%PDF-1.7 a stand-in for the scene"
    report.pdf, report.sha256 = pdf, hashlib.sha256(pdf).hexdigest()
    report.size_bytes, report.page_count, report.contents = len(pdf), 1, []
    report.status, report.generated_at = "ready", utcnow()
    db.session.commit()
    return report


def pages(scene) -> dict[str, dict[str, str]]:
    """Every GET page with clinical or counselor-typed text, by who may open it."""
    a, w, c = scene["reviewed"].id, scene["waiting"].id, scene["alex"].id
    k = scene["case"].id
    return {
        "counselor": {
            "dashboard": "/dashboard/",
            "waiting list": "/dashboard/waiting",
            "overdue list": "/dashboard/overdue",
            "caseload": "/clients/",
            "client": f"/clients/{c}",
            "client access": f"/clients/{c}/access",
            "assignment": f"/assignments/{a}",
            "review (sent)": f"/assignments/{a}/revisions/2",
            "review (open)": f"/assignments/{w}/revisions/1",
            "compare": f"/assignments/{a}/compare?from=1&to=2",
            "session (signed)": f"/sessions/{scene['signed'].id}",
            "session (open)": f"/sessions/{scene['open'].id}",
            "session list": "/sessions/",
            "cases": "/cases/?status=all",
            "case": f"/cases/{k}",
            "case edit": f"/cases/{k}/edit",
            "case safety": f"/cases/{k}/safety",
            "screening form": f"/cases/{k}/screenings/new",
            "report prepare": f"/cases/{scene['couple'].id}/report",
            "report preview": f"/cases/{scene['couple'].id}/report/preview?audience=joint",
            "report": f"/reports/{scene['report'].id}",
            "client email safety": f"/clients/{c}/email-safety",
            "client pathway": f"/clients/{c}/pathway",
        },
        "client": {
            "home": "/my/",
            "access": "/my/access",
            "work": f"/my/assignments/{a}",
            "work (waiting)": f"/my/assignments/{w}",
            "revision 1": f"/my/assignments/{a}/revisions/1",
            "revision 2": f"/my/assignments/{a}/revisions/2",
            "share": f"/my/assignments/{a}/revisions/1/share",
            "sessions": "/my/sessions",
            "session": f"/my/sessions/{scene['joint'].id}",
            "agreements": "/my/agreements",
            "shared with you": "/my/shared",
            "shared item": f"/my/shared/{scene['partner_share'].id}",
            "email notifications": "/account/notifications",
            "pathway": "/my/pathway",
        },
    }


def sample(row) -> dict:
    """A stand-in scene for listing the pages (every record is ``row``)."""
    return dict.fromkeys(("reviewed", "waiting", "alex", "joint", "partner_share", "signed",
                          "open", "case", "couple", "report"), row)
