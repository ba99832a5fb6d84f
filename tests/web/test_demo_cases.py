"""The demo's cases and session log (issue 8, item 8): what ``flask demo`` builds, how it
is linked, and that a second run adds nothing."""

from datetime import timedelta

from sqlalchemy import func, select

from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import (
    Addendum,
    Agreement,
    AgreementFollowUp,
    Assignment,
    AuditEvent,
    Case,
    CaseMember,
    Client,
    CounselingSession,
    Revision,
    SafetyScreening,
    Share,
    User,
    utcnow,
)
from counsel.session_log import signing

from .. import factories

COUNTED = (Case, CaseMember, CounselingSession, Agreement, AgreementFollowUp, Addendum,
           SafetyScreening, Share, Revision, Assignment)


def _demo(runner):
    result = runner.invoke(args=["demo", "--password", "demo password 123"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()


def _client(email) -> Client:
    return db.session.scalars(select(Client).join(Client.user).where(User.email == email)).one()


def _counts():
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in COUNTED}


def _individual_cases(client):
    return db.session.scalars(select(Case).join(CaseMember).where(
        CaseMember.client_id == client.id, Case.kind == "individual")).all()


def test_the_couples_case_holds_the_sessions_agreements_screenings_and_share(app, runner):
    _demo(runner)
    alex, sam = _client("alex@example.com"), _client("sam@example.com")
    case = db.session.scalars(select(Case).where(Case.kind == "couple")).one()
    assert case.name == "Alex & Sam" and case.counselor.email == "counselor@example.com"
    assert case.partners == [alex, sam]

    sessions = db.session.scalars(select(CounselingSession).where(
        CounselingSession.case_id == case.id).order_by(CounselingSession.starts_at)).all()
    assert [s.type for s in sessions] == ["individual", "individual", "joint", "joint", "joint"]
    alone_alex, alone_sam, joint, later, upcoming = sessions
    assert [a.client for a in alone_alex.attendees] == [alex]
    assert [a.client for a in alone_sam.attendees] == [sam]
    for session in (joint, later, upcoming):
        assert {a.client_id for a in session.attendees} == {alex.id, sam.id}
    today, now = practice_today(), utcnow()
    for session in sessions:
        assert session.starts_at.utcoffset() == timedelta(0)  # stored in UTC
    assert alone_alex.starts_at < alone_sam.starts_at < joint.starts_at < later.starts_at < now
    assert now + timedelta(days=5) < upcoming.starts_at < now + timedelta(days=9)
    assert later.starts_at > now - timedelta(days=4)
    assert now - timedelta(days=9) < joint.starts_at < now - timedelta(days=5)

    # the joint mediated session: every field, signed, intact, with an addendum
    for field in ("shared_summary", "private_notes", "agenda", "perspectives", "acknowledged",
                  "next_steps"):
        assert len(getattr(joint, field)) > 40, field
    assert joint.signed and signing.intact(joint) and joint.signed_by == case.counselor
    assert [len(a.body) > 20 for a in joint.addenda] == [True]
    assert alone_alex.signed and alone_sam.signed and signing.intact(alone_alex)
    assert not later.signed and not upcoming.signed  # the dashboard's "not yet signed"
    assert later.private_notes and later.shared_summary
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"session.sign", "session.addendum"} <= actions

    # agreements: one for both, one for each partner, each with a follow-up date
    agreements = joint.agreements
    assert [a.binds_client_id for a in agreements] == [None, alex.id, sam.id]
    assert all(a.follow_up_on is not None and a.case_id == case.id for a in agreements)
    assert agreements[2].follow_up_on > today
    followed = {f.agreement_id: f for f in later.follow_ups}
    assert set(followed) == {agreements[0].id, agreements[1].id}
    assert {f.outcome for f in followed.values()} == {"kept", "partly"}

    # a screening of each partner before the joint session, nothing of concern
    screenings = db.session.scalars(select(SafetyScreening).where(
        SafetyScreening.case_id == case.id)).all()
    assert sorted(s.client_id for s in screenings) == sorted([alex.id, sam.id])
    for screening in screenings:
        assert screening.outcome == "no_concerns" and screening.note
        assert screening.screened_on < joint.starts_at.date()

    # Alex shared one submitted revision of their own with Sam
    share = db.session.scalars(select(Share)).one()
    assert (share.case, share.author, share.recipient) == (case, alex, sam)
    assert share.active and share.revision.assignment.client == alex

    # the work is linked to the case; Sam's preparation was given in Sam's session
    work = db.session.scalars(select(Assignment).where(
        Assignment.client_id.in_((alex.id, sam.id)))).all()
    assert work and all(a.case_id == case.id for a in work)
    assert any(a.session_id == alone_sam.id for a in work)


def test_every_demo_client_has_one_individual_case_and_jordan_is_the_other_counselors(
        app, runner):
    _demo(runner)
    for email, counselor in (("alex@example.com", "counselor@example.com"),
                             ("sam@example.com", "counselor@example.com"),
                             ("jordan@example.com", "other@example.com")):
        cases = _individual_cases(_client(email))
        assert len(cases) == 1 and cases[0].counselor.email == counselor, email
    jordan = _client("jordan@example.com")
    session = db.session.scalars(select(CounselingSession).where(
        CounselingSession.case_id == _individual_cases(jordan)[0].id)).one()
    assert session.signed and [a.client for a in session.attendees] == [jordan]


def test_running_the_demo_twice_duplicates_nothing(app, runner):
    _demo(runner)
    before = _counts()
    assert before["CounselingSession"] == 6 and before["Case"] == 4
    _demo(runner)
    assert _counts() == before


def test_an_individual_case_that_already_exists_is_kept(app, runner):
    """A client added before the demo ran (the migration, or adding a client, made their
    individual case): the demo uses it rather than opening a second one."""
    counselor = factories.CounselorFactory(email="counselor@example.com")
    alex = factories.ClientFactory(counselor=counselor, user__email="alex@example.com",
                                   user__name="Alex Rivera")
    existing = factories.CaseFactory(counselor=counselor, partners=[alex], kind="individual",
                                     name="Alex Rivera")
    db.session.commit()
    _demo(runner)
    assert [c.id for c in _individual_cases(_client("alex@example.com"))] == [existing.id]
