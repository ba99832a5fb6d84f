"""Markup typed into any field (SECURITY.md 9) comes out escaped on every page that shows
it: counselor-typed fields (comments, overall comments, notes, exercises, client details)
as well as the client's answers and the passages quoted from them. A ``|safe`` or
``Markup()`` on any of them fails here."""

from types import SimpleNamespace

import pytest
from markupsafe import escape
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import Assignment

from . import scene as scenes


def evil(tag: str) -> str:
    """Both classic payloads, labelled with the field they were typed into."""
    return f'<script>alert("{tag}")</script>"><img src=x onerror=alert("{tag}")>'


def short_evil(tag: str) -> str:
    """For 40-character fields."""
    return f"<script>alert({tag})</script>"


def typed(tag: str) -> str:
    return short_evil(tag) if tag in ("pron", "phone") else evil(tag)


# Which fields each page shows. Comment quotes are the client's words, so "quote" is
# typed by the client; everything else except "answer" is typed by a counselor (or, for
# the counselor's own name, by an admin).
EXERCISE = ["title", "purpose", "instructions", "item", "prompt1", "prompt2"]
FEEDBACK = ["overall", "comment", "quote"]
SHOWN = {
    ("counselor", "dashboard"): ["title", "pref"],
    ("counselor", "waiting list"): ["title", "pref"],
    ("counselor", "overdue list"): ["title", "pref"],
    ("counselor", "caseload"): ["name", "pref"],
    ("counselor", "client"): ["name", "pref", "pron", "phone", "title", "case", "flag"],
    ("counselor", "client access"): ["name"],
    ("counselor", "assignment"): ["name", "note", *EXERCISE, "case", "flag"],
    ("counselor", "review (sent)"): ["name", "title", "prompt1", "prompt2", "answer",
                                     *FEEDBACK, "flag"],
    ("counselor", "review (open)"): ["name", "title", "prompt1", "answer", "quote", "unsent",
                                     "flag"],
    ("counselor", "compare"): ["title", "prompt1", "answer"],
    ("counselor", "session (signed)"): ["case", "summary", "private", "agenda", "perspectives",
                                        "acknowledged", "steps", "agreement", "addendum",
                                        "followup", "pref"],
    ("counselor", "session (open)"): ["case", "private2", "agreement", "followup", "pref"],
    ("counselor", "session list"): ["case"],
    ("counselor", "cases"): ["case", "name", "pref"],
    ("counselor", "case"): ["case", "flag", "name", "pref", "title", "screening"],
    ("counselor", "case edit"): ["case", "flag"],
    ("counselor", "case safety"): ["case", "flag"],
    ("counselor", "screening form"): ["case", "flag", "name"],
    ("counselor", "report prepare"): ["case", "name", "narrative", "reportsteps"],
    ("counselor", "report preview"): ["case", "name", "cname", "title", "summary", "agenda",
                                      "perspectives", "acknowledged", "nextsteps", "steps",
                                      "agreement", "followup", "narrative", "reportsteps"],
    ("counselor", "report"): ["case", "cname"],
    ("counselor", "client email safety"): ["name", "pref"],
    ("counselor", "client pathway"): ["name", "pref", "title"],
    ("client", "home"): ["pref", "title"],
    ("client", "access"): ["cname"],
    ("client", "work"): ["cname", "note", "answer", *EXERCISE, *FEEDBACK],
    ("client", "work (waiting)"): [*EXERCISE, "answer"],
    ("client", "revision 1"): ["title", "prompt1", "prompt2", "answer", *FEEDBACK],
    ("client", "revision 2"): ["title", "prompt1", "prompt2", "answer", *FEEDBACK],
    ("client", "share"): ["title", "prompt1", "prompt2", "answer"],
    ("client", "sessions"): [],
    ("client", "session"): ["summary", "agenda", "perspectives", "acknowledged", "nextsteps",
                            "agreement"],
    ("client", "agreements"): ["agreement", "followup"],
    ("client", "shared with you"): ["title"],
    ("client", "shared item"): ["title", "prompt1", "prompt2", "samanswer"],
    ("client", "email notifications"): [],  # the person's own address and choices only
    ("client", "pathway"): ["title"],
}


@pytest.fixture
def scene(people):
    return scenes.build(people, text=typed)


def test_every_page_is_listed():
    """A page added to scene.pages must say here which typed fields it shows."""
    row = SimpleNamespace(id=1)
    pages = scenes.pages(scenes.sample(row))
    assert {(role, name) for role, urls in pages.items() for name in urls} == set(SHOWN)


def assert_escaped(html: str, tags: list[str], where: str) -> None:
    for tag in tags:
        assert str(escape(typed(tag))) in html, f"{tag} is not shown escaped on {where}"
    assert "<script>alert(" not in html, f"raw <script> on {where}"
    assert "<img src=x" not in html, f"raw <img> on {where}"


@pytest.mark.parametrize("role", ["counselor", "client"])
def test_markup_is_escaped_on_every_page(client, auth, people, scene, role):
    auth.login(people["counselor"] if role == "counselor" else people["alex"].user)
    for name, url in scenes.pages(scene)[role].items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        assert_escaped(response.text, SHOWN[(role, name)], f"{role} {name}")


def test_review_page_after_a_refused_comment_keeps_markup_escaped(client, auth, people,
                                                                   scene):
    """The 422 re-render shows what the counselor typed back to them, escaped."""
    auth.login(people["counselor"])
    url = f"/assignments/{scene['waiting'].id}/revisions/1/comments"
    refused = client.post(url, data={"prompt_index": 0, "quote": evil("typedquote"),
                                     "body": evil("typedbody")})
    assert refused.status_code == 422 and "not in this answer" in refused.text
    assert_escaped(refused.text, ["unsent", "typedquote", "typedbody"], "refused comment")
    assert evil("typedbody") not in refused.text


def test_refused_review_keeps_the_overall_comment_escaped(client, auth, people, scene):
    auth.login(people["counselor"])
    url = f"/assignments/{scene['waiting'].id}/revisions/1/send"
    refused = client.post(url, data={"overall_comment": evil("typedoverall")})
    assert refused.status_code == 422
    assert_escaped(refused.text, ["typedoverall"], "refused review")


def test_assign_form_shows_names_and_titles_escaped(client, auth, people, scene):
    auth.login(people["counselor"])
    page = client.get(f"/assign?client_id={scene['alex'].id}").text
    assert str(escape(typed("name"))) in page and str(escape(typed("title"))) in page
    assert "<script>alert(" not in page and "<img src=x" not in page
    refused = client.post("/assign", data={"client": 0, "exercise": 0,
                                           "note": evil("typednote")})
    assert str(escape(evil("typednote"))) in refused.text
    assert "<script>alert(" not in refused.text


def test_flash_messages_quoting_typed_titles_and_names_are_escaped(client, auth, people,
                                                                  scene):
    """Assigning and withdrawing quote the exercise's title and the client's name back."""
    auth.login(people["counselor"])
    exercise_id = scene["reviewed"].exercise_id
    assigned = client.post("/assign", data={"client": scene["alex"].id,
                                            "exercise": exercise_id},
                           follow_redirects=True)
    assert "is assigned to" in assigned.text
    assert_escaped(assigned.text, ["title", "pref"], "the assigned message")
    newest = max(a.id for a in db.session.scalars(select(Assignment)))
    withdrawn = client.post(f"/assignments/{newest}/withdraw", follow_redirects=True)
    assert "is withdrawn" in withdrawn.text
    assert_escaped(withdrawn.text, ["title"], "the withdrawn message")


def test_check_in_scales_and_notes_are_escaped_in_the_chart_the_table_and_the_forms(
        client, auth, people):
    """A scale named with markup (the counselor's own) and a note with markup (the
    client's): escaped in the SVG (text, data attribute, description), the table, the
    rating fieldsets and a refused form's re-render."""
    from datetime import date

    from .. import factories

    alex, scale = people["alex"], '<b onclick="x()">calm</b>&'
    factories.CheckInScheduleFactory(client=alex, starts_on=date(2026, 1, 1),
                                     scales=["trust", scale])
    factories.CheckInFactory(client=alex, taken_on=date(2026, 1, 1),
                             ratings={"trust": 3, scale: 4}, note=evil("cinote"))
    db.session.commit()
    pages = {"counselor": [f"/clients/{alex.id}", f"/clients/{alex.id}/checkins"],
             "client": ["/my/checkins"]}
    for role, urls in pages.items():
        auth.login(people["counselor"] if role == "counselor" else alex.user)
        for url in urls:
            html = client.get(url).text
            assert html.count(str(escape(scale))) >= 3, url
            assert "<b onclick" not in html, url
            assert_escaped(html, ["cinote"], url)
        auth.logout()
    auth.login(people["counselor"])
    refused = client.post(f"/clients/{alex.id}/checkins", data={
        "every_days": "0", "scales": ["trust"], "own": '<i>x</i>', "starts_on": "2026-01-01",
        "version": "1"})
    assert refused.status_code == 422 and "&lt;i&gt;x&lt;/i&gt;" in refused.text
    assert "<i>x</i>" not in refused.text


def test_commitments_and_their_follow_ups_are_escaped_on_every_page_that_shows_them(
        client, auth, people):
    """A commitment and a follow-up's note typed with markup: escaped on the client's work
    page (the commitment's heading, the form that changes it, the history), the counselor's
    assignment and review pages, and a refused form's re-render."""
    from counsel import checkins
    from counsel.models import Commitment, CommitmentFollowUp, Revision

    from .workflow import letter

    alex = people["alex"]
    work = letter(people, kind="commitment")
    today = checkins.client_today(alex)
    made = Commitment(assignment=work, text=evil("ctext"), starts_on=today)
    unfollowed = Commitment(assignment=work, text=evil("cnew"), starts_on=today)
    db.session.add_all([made, unfollowed, CommitmentFollowUp(
        commitment=made, taken_on=today, outcome="partly", note=evil("cnote"))])
    db.session.add(Revision(assignment=work, number=1, answers=["a"], content_hash="x"))
    db.session.commit()
    auth.login(alex.user)
    html = client.get(f"/my/assignments/{work.id}").text
    assert_escaped(html, ["ctext", "cnew", "cnote"], "client work page")
    assert html.count(str(escape(evil("cnew")))) == 2, "heading and the change form"
    refused = client.post(f"/my/assignments/{work.id}/commitments/{made.id}/follow-ups",
                          data={f"follow-up-{made.id}-outcome": "maybe",
                                f"follow-up-{made.id}-taken_on": today.isoformat(),
                                f"follow-up-{made.id}-note": evil("crefused")})
    assert refused.status_code == 422
    assert_escaped(refused.text, ["ctext", "cnote", "crefused"], "refused follow-up")
    refused = client.post(f"/my/assignments/{work.id}/commitments",
                          data={"new-text": evil("cadd"), "new-every_days": "0"})
    assert refused.status_code == 422
    assert_escaped(refused.text, ["cadd"], "refused commitment")
    auth.logout()
    auth.login(people["counselor"])
    for url in (f"/assignments/{work.id}", f"/assignments/{work.id}/revisions/1"):
        assert_escaped(client.get(url).text, ["ctext", "cnew", "cnote"], url)


def test_tracker_notes_exceptions_and_reflections_are_escaped(client, auth, people):
    """The counselor's allowed exceptions and the client's notes and reflection: escaped
    on the client's work page, the counselor's assignment page (in the table and the
    settings form) and a refused check-in's re-render."""
    from datetime import timedelta

    from counsel import checkins
    from counsel.assignments import operations
    from counsel.models import TrackerDay
    from counsel.records import tracker as rules

    from .. import factories

    alex = people["alex"]
    exercise = factories.ExerciseFactory(owner=people["counselor"], kind="tracker",
                                         stage="no-contact")
    assignment = operations.assign(people["counselor"], alex, exercise, due_date=None,
                                   note=None, tracker_exceptions=evil("trexc"))
    db.session.flush()
    today = checkins.client_today(alex)
    tracker = rules.load(assignment)
    tracker.starts_on = today - timedelta(days=3)
    db.session.add(TrackerDay(tracker=tracker, day=today - timedelta(days=1), outcome="broke",
                              urge=5, note=evil("trnote"), reflection=evil("trrefl")))
    db.session.commit()
    pages = {"counselor": f"/assignments/{assignment.id}",
             "client": f"/my/assignments/{assignment.id}"}
    for role, url in pages.items():
        auth.login(people["counselor"] if role == "counselor" else alex.user)
        html = client.get(url).text
        assert_escaped(html, ["trexc", "trnote", "trrefl"], url)
        auth.logout()
    auth.login(alex.user)
    refused = client.post(f"/my/assignments/{assignment.id}/tracker", data={
        "tracker-day": today.isoformat(), "tracker-outcome": "kept", "tracker-urge": "11",
        "tracker-note": evil("trtyped")})
    assert refused.status_code == 422
    assert_escaped(refused.text, ["trtyped"], "refused check-in")


def test_plan_and_journal_text_is_escaped_on_every_page_that_shows_it(client, auth, people):
    """Markup typed into every field of a plan's item and a memory: escaped on the client's
    work page, the counselor's assignment page, the share confirmation, the partner's shared
    page and list, and a refused form's re-render."""
    from counsel.models import Share

    from .. import factories
    from .plans_world import assignment, entry, item

    alex, sam = people["alex"], people["sam"]
    couple = factories.CaseFactory(counselor=people["counselor"], partners=[alex, sam])
    plan = assignment(alex, "plan", couple, title=evil("ptitle"))
    journal = assignment(alex, "journal", couple, title=evil("jtitle"))
    item(plan, evil("what"), place=evil("place"), at_time=short_evil("time"))
    item(plan, evil("what2"), status="done", reflection=evil("howwent"))
    memory = entry(journal, evil("memory"), then=evil("then"), now=evil("now"))
    db.session.flush()
    shares = [Share(case_id=couple.id, author_id=alex.id, recipient_id=sam.id,
                    plan_id=plan.id),
              Share(case_id=couple.id, author_id=alex.id, recipient_id=sam.id,
                    journal_entry_id=memory.id)]
    db.session.add_all(shares)
    db.session.commit()
    plan_tags, journal_tags = ["ptitle", "what", "place", "what2"], ["jtitle", "memory",
                                                                     "then", "now"]
    pages = {
        "client": [(f"/my/assignments/{plan.id}", [*plan_tags, "howwent"]),
                   (f"/my/assignments/{journal.id}", journal_tags),
                   (f"/my/assignments/{plan.id}/plan/share?case={couple.id}", plan_tags),
                   (f"/my/assignments/{journal.id}/journal/{memory.id}/share", journal_tags),
                   ("/my/shared", ["ptitle", "jtitle"])],
        "counselor": [(f"/assignments/{plan.id}", [*plan_tags, "howwent"]),
                      (f"/assignments/{journal.id}", journal_tags)],
        "sam": [(f"/my/shared/{shares[0].id}", plan_tags),
                (f"/my/shared/{shares[1].id}", journal_tags), ("/my/shared", ["ptitle"])],
    }
    users = {"client": alex.user, "counselor": people["counselor"], "sam": sam.user}
    for who, urls in pages.items():
        auth.login(users[who])
        for url, tags in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_escaped(response.text, tags, url)
            if "what" in tags:  # the item's time (a 40-character field)
                assert str(escape(short_evil("time"))) in response.text, url
        auth.logout()
    auth.login(alex.user)
    refused = client.post(f"/my/assignments/{plan.id}/plan/items", data={
        "what": evil("typed"), "planned_on": "", "place": '"><b>x</b>'})
    assert refused.status_code == 422
    assert_escaped(refused.text, ["typed"], "the refused plan form")
    assert "<b>x</b>" not in refused.text
    refused = client.post(f"/my/assignments/{journal.id}/journal/entries", data={
        "memory": evil("typed2"), "remembered_on": "2999-01-01"})
    assert refused.status_code == 422
    assert_escaped(refused.text, ["typed2"], "the refused journal form")
