"""Any Unicode, any length, in every form: 2xx/3xx/4xx, never a 500 (SECURITY.md 12-13)."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import Assignment

from .. import factories
from ..conftest import Auth

# Short text of any kind, or long runs of one character (emoji, RTL mark, NUL...).
long_runs = st.tuples(st.text(min_size=1, max_size=3), st.integers(100, 20_000)).map(
    lambda t: t[0] * t[1])
text = st.text(max_size=200) | long_runs

FORMS = {
    "counselor": [("/clients/new", ("name", "email", "phone", "preferred_name", "pronouns")),
                  ("/cases/new", ("name", "partner_one", "partner_two")),
                  ("/account/password", ("current", "password", "confirm"))],
    "admin": [("/admin/counselors/new", ("name", "email"))],
    "client": [("/account/notifications", ("mail_safety", "safe_email", "assignment_new",
                                           "review_sent", "work_due"))],
    "anonymous": [("/forgot-password", ("email",))],
}

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(values=st.lists(text, min_size=5, max_size=5))
def test_counselor_and_admin_forms_never_fail(app, people, values):
    for role, forms in FORMS.items():
        client = app.test_client()
        if role != "anonymous":
            Auth(client).login(people[role] if role != "client" else people["alex"].user)
        for url, fields in forms:
            response = client.post(url, data=dict(zip(fields, values, strict=False)))
            assert response.status_code < 500, (url, response.status_code)


@SETTINGS
@given(values=st.lists(text, min_size=8, max_size=8), ratings=st.lists(text, min_size=3,
                                                                       max_size=3))
def test_check_in_forms_never_fail_and_store_only_ratings_0_to_10(app, people, values,
                                                                  ratings):
    from counsel.models import CheckIn, CheckInSchedule

    alex = people["alex"]
    counselor = app.test_client()
    Auth(counselor).login(people["counselor"])
    fields = ("every_days", "scales", "own", "starts_on", "paused", "time_zone", "version",
              "csrf_token")
    response = counselor.post(f"/clients/{alex.id}/checkins",
                              data=dict(zip(fields, values, strict=True)))
    assert response.status_code in (302, 422), response.status_code
    if not db.session.scalar(select(CheckInSchedule).where(
            CheckInSchedule.client_id == alex.id)):
        factories.CheckInScheduleFactory(client=alex)
        db.session.commit()
    client = app.test_client()
    Auth(client).login(alex.user)
    data = {f"rating-{i}": value for i, value in enumerate(ratings)}
    response = client.post("/my/checkins", data=data | {"taken_on": values[3],
                                                       "note": values[2]})
    assert response.status_code in (302, 422), response.status_code
    db.session.expire_all()
    for checkin in db.session.scalars(select(CheckIn).where(CheckIn.client_id == alex.id)):
        assert all(isinstance(v, int) and 0 <= v <= 10 for v in checkin.ratings.values())


days_typed = st.dates(min_value=date(2020, 1, 1), max_value=date(2031, 1, 1)).map(
    date.isoformat) | text
every_typed = st.integers(-3, 200).map(str) | text
outcome_typed = st.sampled_from(["kept", "partly", "not_yet"]) | text


@SETTINGS
@given(texts=st.lists(text, min_size=3, max_size=3), every=st.lists(every_typed, min_size=2,
                                                                    max_size=2),
       outcome=outcome_typed, day=days_typed)
def test_commitment_forms_never_fail_and_store_only_what_the_rules_allow(app, people, texts,
                                                                         every, outcome, day):
    """Adding, changing and following up a commitment with anything typed: 302 or 422, and
    what is stored keeps the rules (a text of 1-500 characters as typed, trimmed; 1-90 days;
    one of the three outcomes, for a day from the commitment's to the client's today)."""
    from counsel import checkins
    from counsel.models import COMMITMENT_OUTCOMES, Commitment, CommitmentFollowUp
    from counsel.records import commitment as rules

    from .workflow import letter

    alex = people["alex"]
    work = db.session.scalars(select(Assignment).where(Assignment.kind == "commitment")
                              ).first() or letter(people, kind="commitment")
    made = db.session.scalars(select(Commitment)).first()
    if made is None:
        made = Commitment(assignment=work, text="Listen first", every_days=7,
                          starts_on=checkins.client_today(alex) - timedelta(days=10))
        db.session.add(made)
        db.session.commit()
    client = app.test_client()
    Auth(client).login(alex.user)
    base = f"/my/assignments/{work.id}/commitments"
    change, follow = f"change-{made.id}", f"follow-up-{made.id}"
    posts = [(base, {"new-text": texts[0], "new-every_days": every[0]}),
             (f"{base}/{made.id}", {f"{change}-text": texts[1],
                                     f"{change}-every_days": every[1]}),
             (f"{base}/{made.id}/follow-ups", {f"{follow}-outcome": outcome,
                                               f"{follow}-taken_on": day,
                                               f"{follow}-note": texts[2]})]
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code in (302, 422), (url, response.status_code)
        if response.status_code == 302 and url == base:
            db.session.expire_all()
            newest = db.session.scalars(select(Commitment).order_by(Commitment.id.desc())
                                        ).first()
            assert newest.text == texts[0].replace("\r\n", "\n").strip()
    db.session.expire_all()
    today = checkins.client_today(alex)
    for commitment in db.session.scalars(select(Commitment)):
        assert 1 <= len(commitment.text) <= rules.TEXT_LENGTH
        assert commitment.text == commitment.text.strip() and "\x00" not in commitment.text
        assert 1 <= commitment.every_days <= rules.EVERY_DAYS_MOST
    for follow_up in db.session.scalars(select(CommitmentFollowUp)):
        assert follow_up.outcome in COMMITMENT_OUTCOMES
        assert follow_up.commitment.starts_on <= follow_up.taken_on <= today
        assert follow_up.note is None or len(follow_up.note) <= rules.NOTE_LENGTH


@SETTINGS
@given(values=st.lists(text, min_size=9, max_size=9), days=st.lists(
    st.sampled_from(["", "2026-13-01", "0001-01-01", "9999-12-31", "2001-02-29"])
    | st.dates().map(str) | text, min_size=2, max_size=2))
def test_plan_and_journal_forms_never_fail_and_read_back_as_typed(app, people, values, days):
    """Any text and any day in every plan and journal form: 302 or 422 (never a 500), and
    whatever was stored reads back exactly as it was typed (spaces trimmed)."""
    from counsel.models import JournalEntry, PlanItem

    from .plans_world import assignment, entry, item

    alex = people["alex"]
    plan, journal = assignment(alex, "plan", None), assignment(alex, "journal", None)
    walk, memory = item(plan, "walk"), entry(journal, "memory")
    db.session.commit()
    client = app.test_client()
    Auth(client).login(alex.user)
    what, at_time, place, reflection, text_, then, now, other, more = values
    base = f"/my/assignments/{plan.id}/plan/items"
    posts = [(base, {"what": what, "planned_on": days[0], "at_time": at_time,
                     "place": place}),
             (f"{base}/{walk.id}", {"what": more, "planned_on":
                                    days[1], "place": other}),
             (f"{base}/{walk.id}/done", {"reflection": reflection}),
             (f"/my/assignments/{journal.id}/journal/entries",
              {"memory": text_, "remembered_on": days[0], "meant_then": then,
               "means_now": now}),
             (f"/my/assignments/{journal.id}/journal/entries/{memory.id}",
              {"memory": more, "remembered_on": days[1],
               "means_now": other})]
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code in (302, 409, 422), (url, response.status_code)
    db.session.expire_all()
    typed = {v.replace("\r\n", "\n").strip() for v in values} | {"walk", "memory"}
    for saved in db.session.scalars(select(PlanItem).where(PlanItem.assignment_id == plan.id)):
        for value in (saved.what, saved.at_time, saved.place, saved.reflection):
            assert value is None or value in typed, value
    for saved in db.session.scalars(select(JournalEntry).where(
            JournalEntry.assignment_id == journal.id)):
        for value in (saved.memory, saved.meant_then, saved.means_now):
            assert value is None or value in typed, value


@SETTINGS
@given(email=text, password=text)
def test_sign_in_never_fails(app, email, password):
    response = app.test_client().post("/sign-in", data={"email": email, "password": password})
    assert response.status_code in (200, 302, 429)


@SETTINGS
@given(token=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=500))
def test_invitation_urls_never_fail(app, token):
    token = token.replace("/", "_").replace("?", "_")
    for prefix in ("/invitation/", "/reset-password/", "/unsubscribe/"):
        response = app.test_client().get(prefix + token)
        assert response.status_code in (200, 404, 308), prefix


unicode_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"],
                                              blacklist_characters="\x00"), max_size=400)


@SETTINGS
@given(first=unicode_text, second=unicode_text)
def test_any_unicode_draft_reads_back_byte_identical(app, people, first, second):
    from .workflow import current_version, fresh, letter, save, work_url

    assignment = letter(people, prompts=("One", "Two"))
    client = app.test_client()
    Auth(client).login(people["alex"].user)
    response = save(client, assignment, [first, second])
    assert response.status_code == 200
    stored = fresh(Assignment, assignment.id).draft.answers
    assert [s.encode() for s in stored] == [first.encode(), second.encode()]
    # A browser's form submission turns each textarea line break into CRLF; the
    # server turns it back, so the form path stores what the textarea held.
    as_submitted = [t.replace("\r\n", "\n").replace("\n", "\r\n") for t in (second, first)]
    posted = client.post(work_url(assignment), data={
        "answers-0": as_submitted[0], "answers-1": as_submitted[1], "action": "save",
        "base_version": current_version(assignment)})
    assert posted.status_code == 302
    stored = fresh(Assignment, assignment.id).draft.answers
    assert stored == [t.replace("\r\n", "\n") for t in (second, first)]
    page = client.get(work_url(assignment))
    assert page.status_code == 200


@SETTINGS
@given(values=st.lists(text, min_size=4, max_size=4))
def test_review_and_exercise_forms_never_fail(app, people, values):
    from .workflow import letter, submit

    assignment = letter(people)
    alex = app.test_client()
    Auth(alex).login(people["alex"].user)
    submit(alex, assignment, ["Some words to comment on."])
    client = app.test_client()
    Auth(client).login(people["counselor"])
    base = f"/assignments/{assignment.id}/revisions/1"
    posts = [(base + "/comments", {"prompt_index": values[0][:5], "start": values[1],
                                   "quote": values[2], "body": values[3]}),
             (base + "/send", {"overall_comment": values[0], "decision": values[1],
                               "rubric_specific": values[2]}),
             ("/assign", {"client": values[0], "exercise": values[1], "due_date": values[2],
                          "note": values[3]}),
             ("/library/new", {"title": values[0], "purpose": values[1],
                               "instructions": values[2], "prompts-0-text": values[3],
                               "stage": values[1], "kind": values[2]})]
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code < 500, (url, response.status_code)


# --- every POST route, any body, every role (issue 6, section 3) ---------------------------

# JSON of any shape, with text that may hold lone surrogates (JSON can carry them).
json_text = st.text(alphabet=st.characters(), max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | json_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(json_text, inner, max_size=3),
    max_leaves=8)
json_bodies = json_values | st.fixed_dictionaries(
    {"answers": json_values | st.lists(json_text, max_size=3), "base_version": json_values})

# Form fields the app's forms declare, plus anything else, holding any text a browser sends.
FIELD_NAMES = ["email", "password", "current", "confirm", "name", "phone", "preferred_name",
               "pronouns", "note", "client", "exercise", "due_date", "title", "purpose",
               "instructions", "stage", "kind", "prompts-0-text", "prompts-1-text",
               "answers-0", "answers-1", "action", "base_version", "prompt_index", "start",
               "quote", "body", "overall_comment", "decision", "rubric_specific", "role",
               "counselor_id", "status", "case", "back",
               # the cases' forms
               "partner_one", "partner_two", "reason", "screened_on",
               # the session log's forms
               "date", "start_time", "end_time", "format", "type", "attendees",
               "shared_summary", "private_notes", "agenda", "session_version",
               "confirm_screening", "text", "binds", "follow_up_on", "outcome",
               "contact_reason",
               # the progress reports' forms
               "since", "until", "audience", "excerpts", "narrative", "next_steps",
               "version", "session_id",
               # email choices and a client's email safety
               "assignment_new", "review_sent", "work_due", "work_overdue",
               "session_reminder", "work_submitted", "daily_digest", "mail_safety",
               "safe_email",
               # a stage's lock on the pathway (each stage's form has its own prefix)
               "apology-state", "reflection-state", "moving-forward-state", "state",
               # plans and journals (an item's or a memory's own form has a prefix)
               "what", "planned_on", "at_time", "place", "reflection", "remembered_on",
               "memory", "meant_then", "means_now"]
form_values = st.text(max_size=60) | st.sampled_from(["0", "1", "-1", "2147483648", "10" * 12,
                                                     "submit", "save", "accept",
                                                     "request_revision", "2030-01-01",
                                                     "joint", "counselor", "partner:1",
                                                     "preview", "ask", "agreed", "declined",
                                                     "on", "off", "digest", "none",
                                                     "safe_address", "normal", "open",
                                                     "locked", "auto"])
form_bodies = st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), form_values,
                              max_size=8)
bodies = st.tuples(st.just("json"), json_bodies) | st.tuples(st.just("form"), form_bodies)


@pytest.fixture
def seeded(app, people):
    """Real objects of every kind the POST routes take, owned by the cast's first counselor
    and his client Alex, and the ids each route's arguments should carry."""
    from counsel.auth import invitations
    from counsel.clock import practice_today
    from counsel.extensions import db
    from counsel.models import (
        ExcerptConsent,
        Report,
        Review,
        ReviewComment,
        Revision,
        Share,
        utcnow,
    )
    from counsel.notifications import kinds
    from counsel.notifications.tokens import unsubscribe_token

    from .workflow import letter

    assignment = letter(people, prompts=("One", "Two"))
    revision = Revision(assignment=assignment, number=1, answers=["I am sorry.", "Truly."],
                        content_hash="seed")
    assignment._status = "submitted"
    review = Review(revision=revision, counselor=people["counselor"])
    comment = ReviewComment(review=review, prompt_index=0, start=0, end=4, quote="I am",
                            body="Good start.")
    db.session.add_all([revision, review, comment])
    newcomer = factories.ClientFactory(counselor=people["counselor"], user__password_hash=None)
    couple = factories.CaseFactory(counselor=people["counselor"],
                                   partners=[people["alex"], people["sam"]])
    db.session.flush()
    share = Share(case_id=couple.id, author_id=people["alex"].id,
                  recipient_id=people["sam"].id, revision_id=revision.id)
    db.session.add(share)
    db.session.flush()
    token = invitations.issue(people["counselor"], newcomer.user)
    tokens = {"auth.reset_password": invitations.issue_reset(people["sam"].user),
              "notifications.unsubscribe": unsubscribe_token(people["alex"].user,
                                                             kinds.kind("review_sent"))}
    case = factories.CaseFactory(partners=[people["alex"], people["sam"]],
                                 counselor=people["counselor"])
    session = factories.CounselingSessionFactory(case=case)
    agreement = factories.AgreementFactory(session=session)
    consent = ExcerptConsent(revision=revision, client_id=people["alex"].id,
                             requested_by_id=people["counselor"].id)
    report = Report(case=case, generated_by_id=people["counselor"].id, audience="joint",
                    since=practice_today() - timedelta(days=30), until=practice_today(),
                    excerpts=[], status="ready", pdf=b"%PDF-1.7 seeded", sha256="0" * 64,
                    size_bytes=15, page_count=1, contents=[], generated_at=utcnow())
    # A commitment (on its own commitment assignment: with the letter's id in the URL, its
    # routes answer 404; test_commitment_forms_never_fail posts to it for real).
    from counsel.models import Commitment

    commitment = Commitment(assignment=letter(people, kind="commitment"), text="Listen",
                            starts_on=practice_today())
    db.session.add_all([consent, report, commitment])
    records = _plan_and_journal(people)
    db.session.commit()
    return {"ids": {**records, "client_id": people["alex"].id, "assignment_id": assignment.id,
                    "commitment_id": commitment.id, "number": 1, "comment_id": comment.id,
                    "exercise_id": assignment.exercise_id,
                    "user_id": people["counselor"].id, "share_id": share.id,
                    "case_id": case.id, "session_id": session.id,
                    "agreement_id": agreement.id, "report_id": report.id,
                    "consent_id": consent.id},
            "token": token, "tokens": tokens}


def _plan_and_journal(people) -> dict:
    """Alex's plan and journal, each with an item or a memory (the routes' other ids)."""

    from .plans_world import assignment, entry, item

    plan = assignment(people["alex"], "plan", None)
    journal = assignment(people["alex"], "journal", None)
    return {"item_id": item(plan, "walk").id, "entry_id": entry(journal, "memory").id}


def _post_urls(app, seeded, data):
    """Each POST route once, with real ids (and a random choice of any() arguments);
    signing out comes last so the others run signed in."""
    from werkzeug.routing import AnyConverter, IntegerConverter

    from ..routes import rules

    urls = []
    for rule, _methods in rules(app, method="POST"):
        values = {}
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                values[name] = seeded["ids"][name]
            elif isinstance(converter, AnyConverter):
                values[name] = data.draw(st.sampled_from(sorted(converter.items)))
            else:
                values[name] = seeded["tokens"].get(rule.endpoint, seeded["token"])
        urls.append(rule.build(values)[1])
    return sorted(urls, key=lambda url: url == "/sign-out")


@pytest.mark.parametrize("role", ["anonymous", "counselor", "client", "admin"])
# No shrinking: the examples share one database, so a smaller replay meets a changed
# state; the first failing body is reported as it was.
@settings(max_examples=40, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_body_to_any_post_route_never_fails(app, people, seeded, role, data):
    import json

    # Everything is drawn before the first request, so what is drawn never depends on
    # what earlier requests changed (hypothesis replays failures by drawing again).
    plan = [(url, *data.draw(bodies, label=url)) for url in _post_urls(app, seeded, data)]
    client = app.test_client()
    if role != "anonymous":
        Auth(client).login({"counselor": people["counselor"], "client": people["alex"].user,
                            "admin": people["admin"]}[role])
    for url, kind, body in plan:
        if kind == "json":
            response = client.post(url, data=json.dumps(body), content_type="application/json")
        else:
            response = client.post(url, data=body)
        assert response.status_code < 500, (role, url, kind, body, response.status_code)


@SETTINGS
@given(values=st.lists(text, min_size=6, max_size=6), narrative=unicode_text)
def test_report_forms_never_fail_and_keep_the_narrative_as_typed(app, people, values,
                                                                  narrative):
    """The report pages' forms with any text in any field; a narrative that is saved
    reads back as typed (a textarea's CRLF line breaks as LF)."""
    from counsel.extensions import db
    from counsel.models import Case, ReportPreparation

    case = db.session.scalars(select(Case).where(Case.name == "Reports")).first() or \
        factories.CaseFactory(counselor=people["counselor"], name="Reports",
                              partners=[people["alex"], people["sam"]])
    db.session.commit()
    client = app.test_client()
    Auth(client).login(people["counselor"])
    base = f"/cases/{case.id}/report"
    fields = ("since", "until", "audience", "narrative", "next_steps", "excerpts")
    for url, data in ((base, dict(zip(fields, values, strict=True)) | {"action": values[0]}),
                      (base + "/generate", {"audience": values[2], "version": values[3]})):
        response = client.post(url, data=data)
        assert response.status_code < 500, (url, response.status_code)
    for audience in values[:3]:
        response = client.get(base + "/preview", query_string={"audience": audience})
        assert response.status_code < 500, (audience, response.status_code)
    db.session.expire_all()
    prep = db.session.scalars(select(ReportPreparation)).first()
    typed = narrative.replace("\r\n", "\n").replace("\n", "\r\n")
    saved = client.post(base, data={"since": "2026-01-01", "until": "2026-01-31",
                                    "audience": "joint", "narrative": typed,
                                    "version": str(prep.version) if prep else "",
                                    "action": "save"})
    assert saved.status_code in (302, 422), saved.status_code
    if saved.status_code == 302:
        db.session.expire_all()
        stored = db.session.scalars(select(ReportPreparation)).one().narrative
        assert stored.encode() == typed.replace("\r\n", "\n").encode()
    else:
        assert "invisible control character" in saved.text or "Remove it" in saved.text


@SETTINGS
@given(values=st.lists(text, min_size=4, max_size=4), period=st.lists(text, min_size=3,
                                                                      max_size=3),
       reflection=st.lists(text, min_size=2, max_size=2))
def test_tracker_forms_never_fail_and_store_only_sound_days(app, people, values, period,
                                                            reflection):
    """The client's check-in and reflection, and the counselor's period: 302 or a refusal,
    never a 500; whatever is stored is a day of the period, not in the future, an urge
    from 0 to 10 and one of the three outcomes."""
    from counsel import checkins
    from counsel.assignments import operations
    from counsel.models import Tracker, TrackerDay
    from counsel.models.work_records import TRACKER_OUTCOMES

    alex = people["alex"]
    tracker = db.session.scalars(select(Tracker).join(Tracker.assignment).where(
        Assignment.client_id == alex.id)).first()
    if tracker is None:
        exercise = factories.ExerciseFactory(owner=people["counselor"], kind="tracker",
                                             stage="no-contact")
        operations.assign(people["counselor"], alex, exercise, due_date=None, note=None,
                          tracker_exceptions="Logistics.")
        db.session.commit()
        tracker = db.session.scalars(select(Tracker)).one()
    assignment_id = tracker.assignment_id
    client = app.test_client()
    Auth(client).login(alex.user)
    fields = ("tracker-day", "tracker-outcome", "tracker-urge", "tracker-note")
    response = client.post(f"/my/assignments/{assignment_id}/tracker",
                           data=dict(zip(fields, values, strict=True)))
    assert response.status_code in (302, 422, 409), response.status_code
    response = client.post(f"/my/assignments/{assignment_id}/tracker/reflection",
                           data={"reflection-day": reflection[0],
                                 "reflection-text": reflection[1]})
    assert response.status_code in (302, 422, 409), response.status_code
    counselor = app.test_client()
    Auth(counselor).login(people["counselor"])
    response = counselor.post(f"/assignments/{assignment_id}/tracker",
                              data=dict(zip(("starts_on", "length_days", "exceptions"), period,
                                            strict=True)))
    assert response.status_code in (302, 422), response.status_code
    db.session.expire_all()
    tracker = db.session.get(Tracker, tracker.id)
    assert 1 <= tracker.length_days <= 120
    today = checkins.client_today(alex)
    for day in db.session.scalars(select(TrackerDay).where(TrackerDay.tracker_id == tracker.id)):
        assert day.day <= today and day.outcome in TRACKER_OUTCOMES and 0 <= day.urge <= 10
