"""Every page that shows clinical text writes its audit row (SECURITY.md 14): exactly one
row per view, naming who, which client and which record, and holding none of the text.
A new counselor or client page must be listed here, audited or explicitly not clinical."""

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from counsel.extensions import db
from counsel.models import AuditEvent

from . import scene as scenes

# (role, page in scene.pages) -> (action, which record it names)
AUDITED = {
    ("counselor", "dashboard"): ("dashboard.view", None),
    ("counselor", "waiting list"): ("dashboard.view", None),
    ("counselor", "overdue list"): ("dashboard.view", None),
    ("counselor", "caseload"): ("caseload.view", None),
    ("counselor", "client"): ("client.view", "client"),
    ("counselor", "client access"): ("client.access_history.view", "client"),
    ("counselor", "assignment"): ("assignment.view", "reviewed"),
    ("counselor", "review (sent)"): ("revision.view", "reviewed r2"),
    ("counselor", "review (open)"): ("revision.view", "waiting r1"),
    ("counselor", "compare"): ("revision.compare", "reviewed r2"),
    ("counselor", "session (signed)"): ("session.view", "signed session"),
    ("counselor", "session (open)"): ("session.view", "open session"),
    ("counselor", "session list"): ("session.list.view", None),
    ("counselor", "cases"): ("caseload.view", None),
    ("counselor", "case"): ("case.view", "case"),
    ("counselor", "case edit"): ("case.view", "case"),
    ("counselor", "case safety"): ("case.view", "case"),
    ("counselor", "screening form"): ("case.view", "case"),
    ("counselor", "client email safety"): ("client.view", "client"),
    ("counselor", "client pathway"): ("pathway.view", "client"),
    ("client", "home"): ("portal.home.view", "client"),
    ("client", "access"): ("client.access_history.view", "client"),
    ("client", "work"): ("assignment.view", "reviewed"),
    ("client", "work (waiting)"): ("assignment.view", "waiting"),
    ("client", "revision 1"): ("revision.view", "reviewed r1"),
    ("client", "revision 2"): ("revision.view", "reviewed r2"),
    ("client", "share"): ("revision.view", "reviewed r1"),
    ("client", "sessions"): ("sessions.view", "client"),
    ("client", "session"): ("session_summary.view", "joint"),
    ("client", "agreements"): ("agreements.view", "client"),
    ("client", "shared with you"): ("shares.view", "client"),
    ("client", "shared item"): ("share.view", "shared by sam"),
    ("client", "pathway"): ("pathway.view", "client"),
}

# Pages in scene.pages that show no clinical text and write no row: the person's own email
# choices.
OWN_SETTINGS = {("client", "email notifications")}
# GET pages of the counselor and client blueprints that show no clinical text.
NOT_CLINICAL = {
    "library.index", "library.show", "library.new", "library.edit", "library.copy",  # exercises
    "clients.new",  # an empty form
    "assignments.new",  # the caseload's names as choices, like the header's own name
    "session_log.new",  # an empty form naming the case's partners
    "session_log.calendar",  # whether a calendar link exists
    "cases.new",  # the same
    "reports.status",  # a report's state and its failure message, for the waiting page
}
# Audited pages with a test of their own below.
TESTED_BELOW = {"clients.edit",
                "session_log.calendar_feed",  # tests/web/test_calendar_feed.py
                # a row for each partner (below)
                "reports.prepare", "reports.preview", "reports.show", "reports.download",
                # tests/web/test_portal_reports.py (reports.view, report.download) and
                # tests/web/test_report_consent.py (consents.view)
                "portal.reports", "portal.report_pdf", "portal.consent",
                # check-ins (below)
                "clients.checkin_schedule", "portal.checkins_page",
                # sharing a plan or a memory: tests/web/test_plan_journal_sharing.py
                # (assignment.view, journal_entry.view)
                "portal.share_plan", "portal.share_journal_entry"}


@pytest.fixture
def scene(people):
    return scenes.build(people)


def record(scene, which):
    """(target_type, target_id) of the record a page is about."""
    reviewed, waiting = scene["reviewed"], scene["waiting"]
    return {
        None: (None, None),
        "client": ("clients", scene["alex"].id),
        "reviewed": ("assignments", reviewed.id),
        "waiting": ("assignments", waiting.id),
        "reviewed r1": ("revisions", reviewed.revisions[0].id),
        "reviewed r2": ("revisions", reviewed.revisions[1].id),
        "waiting r1": ("revisions", waiting.revisions[0].id),
        "joint": ("counseling_sessions", scene["joint"].id),
        "shared by sam": ("revisions", scene["partner_revision"].id),
        "signed session": ("counseling_sessions", scene["signed"].id),
        "open session": ("counseling_sessions", scene["open"].id),
        "case": ("cases", scene["case"].id),
    }[which]


def new_rows(since: int) -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.id > since)
                              .order_by(AuditEvent.id)).all()


def last_id() -> int:
    return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def user_for(people, role):
    return people["counselor"] if role == "counselor" else people["alex"].user


@pytest.mark.parametrize(("role", "page"), sorted(AUDITED))
def test_each_clinical_page_writes_one_audit_row(client, auth, people, scene, role, page):
    user = user_for(people, role)
    auth.login(user)
    action, which = AUDITED[(role, page)]
    before = last_id()
    response = client.get(scenes.pages(scene)[role][page])
    assert response.status_code == 200
    rows = new_rows(before)
    matching = [r for r in rows if r.action == action]
    assert len(matching) == 1, [r.action for r in rows]
    row = matching[0]
    target_type, target_id = record(scene, which)
    assert (row.actor_id, row.outcome, row.target_type) == (user.id, "success", target_type)
    assert row.target_id == (None if target_id is None else str(target_id))
    # A shared item's view is in its author's history (sam's), not the reader's.
    expected_client = None if which is None else \
        scene["sam" if which == "shared by sam" else "alex"].id
    assert row.client_id == expected_client
    assert row.ip == "127.0.0.1"
    for r in rows:
        assert "plain" not in (r.detail or ""), "audit rows never hold clinical text"


def test_every_counselor_and_client_page_is_listed(app, people):
    """A new GET page in these blueprints must be audited here or declared not clinical."""
    row = SimpleNamespace(id=1)
    adapter = app.url_map.bind("localhost")
    listed = {adapter.match(url.split("?")[0])[0]
              for urls in scenes.pages(scenes.sample(row)).values()
              for url in urls.values()}
    pages = {rule.endpoint for rule in app.url_map.iter_rules()
             if "GET" in (rule.methods or ()) and rule.endpoint.split(".")[0] in
             ("dashboard", "clients", "library", "assignments", "portal", "session_log",
              "cases", "reports")}
    assert pages - NOT_CLINICAL - listed - TESTED_BELOW == set()
    assert not listed & NOT_CLINICAL


REPORT_PAGES = [("report prepare", "case.view", "couple"),
                ("report preview", "report.preview", "couple"),
                ("report", "report.view", "report"),
                ("download", "report.download", "report")]


@pytest.mark.parametrize(("page", "action", "which"), REPORT_PAGES)
def test_each_report_page_writes_a_row_for_each_partner(client, auth, people, scene, page,
                                                        action, which):
    """A couple's report is about both partners: each one's access history shows it."""
    counselor = people["counselor"]
    auth.login(counselor)
    url = scenes.pages(scene)["counselor"].get(page, f"/reports/{scene['report'].id}/pdf")
    before = last_id()
    assert client.get(url).status_code == 200
    rows = [r for r in new_rows(before) if r.action == action]
    assert sorted(r.client_id for r in rows) == sorted([people["alex"].id, people["sam"].id])
    target = scene[which]
    for row in rows:
        assert (row.actor_id, row.outcome, row.target_type, row.target_id, row.ip) == (
            counselor.id, "success", target.__tablename__, str(target.id), "127.0.0.1")
        assert "plain" not in (row.detail or "")


def test_the_client_details_form_is_audited(client, auth, people):
    """The edit form shows the same details as the client page, which writes client.view;
    opening it must leave a row too."""
    auth.login(people["counselor"])
    before = last_id()
    assert client.get(f"/clients/{people['alex'].id}/edit").status_code == 200
    rows = [(r.action, r.client_id) for r in new_rows(before)]
    assert ("client.view", people["alex"].id) in rows


@pytest.mark.parametrize("post", ["comment", "send"])
def test_review_page_shown_again_after_a_refusal_is_audited(client, auth, people, scene,
                                                            post):
    """The 422 page shows the client's answers again, so it records revision.view."""
    auth.login(people["counselor"])
    base = f"/assignments/{scene['waiting'].id}/revisions/1"
    before = last_id()
    if post == "comment":
        response = client.post(base + "/comments", data={"prompt_index": 0,
                                                         "quote": "not in it", "body": "x"})
    else:
        response = client.post(base + "/send", data={})
    assert response.status_code == 422 and "plain answer words" in response.text
    views = [r for r in new_rows(before) if r.action == "revision.view"]
    assert [(r.target_id, r.client_id) for r in views] == [
        (str(scene["waiting"].revisions[0].id), scene["alex"].id)]


def test_every_listed_page_is_audited_or_the_persons_own_settings():
    row = SimpleNamespace(id=1)
    listed = {(role, name) for role, urls in scenes.pages(scenes.sample(row)).items()
              for name in urls}
    reports = {("counselor", page) for page, *_ in REPORT_PAGES}  # a row for each partner
    assert listed - set(AUDITED) - reports == OWN_SETTINGS


def test_email_and_reset_actions_are_recorded_and_read_in_plain_words(client, auth, people):
    """Choices, unsubscribing, email safety and password resets each leave a row naming
    who did it to whose record, and the client's access history says what happened."""
    from counsel.notifications import kinds, tokens

    alex, counselor = people["alex"], people["counselor"]
    unsubscribe = tokens.unsubscribe_url(alex.user, kinds.kind("work_due")).split("/", 3)[3]
    before = last_id()
    client.post("/" + unsubscribe)
    client.post("/forgot-password", data={"email": alex.email})
    client.post("/forgot-password", data={"email": "nobody@example.org"})
    auth.login(counselor)
    client.post(f"/clients/{alex.id}/email-safety", data={"mail_safety": "none"})
    client.post("/sign-out")
    auth.login(alex.user)
    client.post("/account/notifications", data={
        "mail_safety": "normal", "assignment_new": "off", "review_sent": "on",
        "work_due": "off", "work_overdue": "on", "session_reminder": "on", "checkin_due": "on"})
    rows = [(r.action, r.actor_id, r.client_id, r.outcome) for r in new_rows(before)
            if not r.action.startswith(("auth.sign_", "client.view", "portal."))]
    assert rows == [
        ("mail.unsubscribe", alex.user_id, alex.id, "success"),
        ("auth.reset_issue", None, alex.id, "success"),
        ("auth.reset_request", None, None, "no_account"),
        ("client.mail_safety", counselor.id, alex.id, "success"),
        ("mail.preferences", alex.user_id, alex.id, "success"),
        ("client.mail_safety", alex.user_id, alex.id, "success"),
    ]
    history = client.get("/my/access").text
    for words in ("stopped one kind of email with its unsubscribe link",
                  "asked for a password reset link by email",
                  "changed the client&#39;s email safety setting",
                  "changed which emails they get"):
        assert words in history, words


def test_check_in_pages_and_changes_are_audited_and_read_in_plain_words(client, auth, people):
    """Each page charting the check-ins writes one checkins.view row on the client's
    record; scheduling, a time zone and a check-in each leave a row with no rating in it;
    the client's access history says what happened."""
    from datetime import date

    from counsel import checkins
    from counsel.models import CheckIn, CheckInSchedule

    from .. import factories

    alex, counselor = people["alex"], people["counselor"]
    factories.CheckInScheduleFactory(client=alex, starts_on=date(2026, 1, 1))
    db.session.commit()
    views = [("counselor", f"/clients/{alex.id}"), ("counselor", f"/clients/{alex.id}/checkins"),
             ("client", "/my/checkins")]
    for role, url in views:
        auth.login(user_for(people, role))
        before = last_id()
        assert client.get(url).status_code == 200
        rows = [r for r in new_rows(before) if r.action == "checkins.view"]
        assert [(r.actor_id, r.client_id, r.target_type, r.target_id) for r in rows] == [
            (user_for(people, role).id, alex.id, "clients", str(alex.id))], url
        auth.logout()
    auth.login(counselor)
    before = last_id()
    client.post(f"/clients/{alex.id}/checkins", data={
        "every_days": "5", "scales": ["hope"], "own": "", "starts_on": "2026-01-01",
        "time_zone": "Asia/Tokyo", "version": "1"})
    auth.logout()
    auth.login(alex.user)
    client.post("/my/checkins", data={"taken_on": checkins.client_today(alex).isoformat(),
                                      "rating-0": "7", "note": "plain note"})
    saved = db.session.scalars(select(CheckIn)).one()
    schedule = db.session.scalars(select(CheckInSchedule)).one()
    rows = [(r.action, r.actor_id, r.client_id, r.target_type, r.target_id)
            for r in new_rows(before) if r.action.startswith(("checkin.", "client.time"))]
    assert rows == [
        ("client.time_zone", counselor.id, alex.id, "clients", str(alex.id)),
        ("checkin.schedule", counselor.id, alex.id, "checkin_schedules", str(schedule.id)),
        ("checkin.create", alex.user_id, alex.id, "checkins", str(saved.id)),
    ]
    for r in new_rows(before):
        assert "plain" not in (r.detail or "") and "hope" not in (r.detail or "")
    history = client.get("/my/access").text
    for words in ("changed the client&#39;s time zone", "scheduled or changed the check-ins",
                  "gave a check-in", "looked at the check-ins and their chart"):
        assert words in history, words
