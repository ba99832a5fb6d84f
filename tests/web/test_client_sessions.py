"""The client's view of the session log (PRODUCT.md privacy rules 1 and 3): upcoming
sessions on their home page, the shared parts of signed sessions they attended, and the
agreements that bind them with their follow-ups. Never private notes, addenda, screenings,
the safety flag, or anything of an unsigned session."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import AuditEvent, utcnow
from counsel.portal.attended import PAGE_SIZE

from .. import factories
from . import couple
from .test_partner_sharing import CLIENTS, STAFF, browser


@pytest.fixture
def world(people):
    return couple.build(people)


def t(tag):
    return couple.plain(tag)


def rows(action):
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).all()


def assert_nothing_private(body, where):
    for tag in couple.NEVER_FOR_CLIENTS:
        assert t(tag) not in body, (where, tag)


def test_home_lists_upcoming_sessions_without_notes(app, world, people):
    alex = browser(app, world, people, "alex")
    home = alex.get("/my/").text
    section = home.split('id="sessions-heading"')[1].split("</section>")[0]
    assert "In person · 50 minutes" in section
    assert section.count("<li>") == 1  # the cancelled one and past ones are not upcoming
    assert_nothing_private(home, "home")
    assert "/my/sessions" in home and "/my/agreements" in home and "/my/shared" in home
    casey = browser(app, world, people, "casey").get("/my/").text
    assert "No sessions are booked for you" in casey


def test_sessions_list_upcoming_and_past_signed_attended(app, world, people):
    alex = browser(app, world, people, "alex").get("/my/sessions").text
    assert f"/my/sessions/{world['joint'].id}" in alex
    for key in ("sam_alone", "unsigned", "upcoming", "cancelled", "casey_session"):
        assert f"/my/sessions/{world[key].id}\"" not in alex, key
    assert alex.count("In person · 50 minutes") == 1
    assert_nothing_private(alex, "alex sessions")
    sam = browser(app, world, people, "sam").get("/my/sessions").text
    assert f"/my/sessions/{world['joint'].id}" in sam and \
        f"/my/sessions/{world['sam_alone'].id}" in sam
    row = rows("sessions.view")[-1]
    assert (row.actor_id, row.client_id) == (world["sam"].user_id, world["sam"].id)


def test_a_signed_session_shows_its_shared_parts_only(app, world, people):
    for who in ("alex", "sam"):
        page = browser(app, world, people, who).get(f"/my/sessions/{world['joint'].id}")
        assert page.status_code == 200
        for tag in ("summary", "agenda", "perspectives", "acknowledged", "nextsteps",
                    "agreeboth"):
            assert t(tag) in page.text, (who, tag)
        other = "sam" if who == "alex" else "alex"
        assert t(f"agree{who}") in page.text and t(f"agree{other}") not in page.text
        assert_nothing_private(page.text, f"{who} joint session")
        row = rows("session_summary.view")[-1]
        assert (row.actor_id, row.client_id, row.target_type, row.target_id) == (
            world[who].user_id, world[who].id, "counseling_sessions", str(world["joint"].id))


@pytest.mark.parametrize("key", ["unsigned", "upcoming", "cancelled", "sam_alone",
                                 "casey_session", "jordan_session"])
def test_unsigned_or_not_attended_is_404_for_alex(app, world, people, key):
    alex = browser(app, world, people, "alex")
    response = alex.get(f"/my/sessions/{world[key].id}")
    assert response.status_code == 404
    assert_nothing_private(response.text, key)
    assert t("samsummary") not in response.text


def test_agreements_bind_the_viewer_with_signed_follow_ups(app, world, people):
    alex = browser(app, world, people, "alex").get("/my/agreements").text
    assert t("agreeboth") in alex and t("agreealex") in alex and t("agreesam") not in alex
    assert "Partly kept" in alex and t("followup") in alex
    assert "Not kept" not in alex
    assert_nothing_private(alex, "alex agreements")
    sam = browser(app, world, people, "sam").get("/my/agreements").text
    assert t("agreeboth") in sam and t("agreesam") in sam and t("agreealex") not in sam
    for who in ("casey", "jordan"):
        page = browser(app, world, people, who).get("/my/agreements").text
        assert t("agreeboth") not in page and t("agreealex") not in page
    jordan = browser(app, world, people, "jordan").get("/my/agreements").text
    assert t("agreejordan") in jordan
    row = rows("agreements.view")[-1]
    assert (row.actor_id, row.client_id) == (world["jordan"].user_id, world["jordan"].id)


ROUTES = {
    "list": lambda w: "/my/sessions",
    "session": lambda w: f"/my/sessions/{w['joint'].id}",
    "agreements": lambda w: "/my/agreements",
}


def expected(route, who):
    if who == "anonymous":
        return 302
    if who in STAFF:
        return 403
    if route == "session":
        return 200 if who in ("alex", "sam") else 404
    return 200


@pytest.mark.parametrize("who", [*CLIENTS, *STAFF, "anonymous"])
def test_access_matrix(app, world, people, who):
    client = browser(app, world, people, who)
    for route, url in ROUTES.items():
        response = client.get(url(world))
        assert response.status_code == expected(route, who), (route, who)
        if who == "anonymous":
            assert response.location.startswith("/sign-in")
        if who not in ("alex", "sam"):
            assert t("summary") not in response.text and t("agreeboth") not in response.text
        assert_nothing_private(response.text, (route, who))


def test_every_client_page_as_each_partner_holds_no_private_text(app, world, people):
    """Walk every client-reachable GET page of this feature and the portal as each
    partner (and casey): notes, addenda, screenings and the flag never appear."""
    for who in ("alex", "sam", "casey"):
        client = browser(app, world, people, who)
        urls = ["/my/", "/my/sessions", "/my/agreements", "/my/shared", "/my/access",
                *(f"/my/sessions/{world[k].id}" for k in (
                    "joint", "sam_alone", "unsigned", "upcoming", "cancelled",
                    "casey_session", "jordan_session")),
                f"/my/shared/{world['share'].id}"]
        for url in urls:
            assert_nothing_private(client.get(url).text, (who, url))


def test_past_sessions_and_agreements_come_a_page_at_a_time(app, auth, client, people):
    case = factories.CaseFactory(counselor=people["counselor"],
                                 partners=[people["alex"], people["sam"]])
    for week in range(PAGE_SIZE + 1):
        held = factories.CounselingSessionFactory(
            case=case, starts_at=utcnow() - timedelta(weeks=week + 1))
        factories.AgreementFactory(session=held, text=f"agreement {week}")
        held.signed_at = utcnow()
    db.session.commit()
    auth.login(people["alex"].user)
    for url in ("/my/sessions", "/my/agreements"):
        first = client.get(url).text
        assert "Page 1 of 2" in first
        second = client.get(f"{url}?page=2").text
        assert "Page 2 of 2" in second
    assert "agreement 0" in client.get("/my/agreements").text
    assert f"agreement {PAGE_SIZE}" in client.get("/my/agreements?page=2").text
