"""Lists that grow are paged or bounded (issue 7), and SQLite write requests take the
write lock before they read."""

import re

import pytest
from sqlalchemy import event

from counsel.extensions import db
from counsel.paging import paged
from counsel.permissions import caseload_query

from .. import factories
from ..conftest import PG_URL
from .test_query_counts import counting, practice


def test_dashboard_shows_the_first_ten_and_pages_the_rest(app, client, auth):
    mine = practice(clients=12, revisions=1, comments=0)
    practice(clients=3, revisions=1, comments=0)  # another counselor's, never shown
    auth.login(mine["counselor"])
    page = client.get("/dashboard/").text
    assert page.count("revision 1</a>") == 10
    waiting = int(re.search(r"Show all (\d+) waiting for review", page).group(1))
    overdue = int(re.search(r"Show all (\d+) overdue", page).group(1))
    assert waiting == 11 + 4 and overdue == 11 + 12  # see practice()
    everything = client.get("/dashboard/waiting").text
    assert everything.count("revision 1</a>") == waiting
    assert client.get("/dashboard/overdue").text.count("was due") == overdue


def test_dashboard_all_pages_are_for_counselors_only(app, client, auth):
    world = practice(clients=1, revisions=1, comments=0)
    auth.login(world["client"])
    assert client.get("/dashboard/waiting").status_code == 403


def test_caseload_is_paged_and_keeps_the_search(app, client, auth):
    counselor = factories.CounselorFactory()
    for n in range(55):
        factories.ClientFactory(counselor=counselor, user__name=f"Match {n:02d}")
    factories.ClientFactory(counselor=counselor, user__name="Someone else")
    db.session.commit()
    auth.login(counselor)
    first = client.get("/clients/?q=Match&status=active").text
    assert first.count("Match ") == 50 and "55 clients match" in first
    link = re.search(r'href="([^"]*page=2[^"]*)"', first).group(1).replace("&amp;", "&")
    assert "q=Match" in link and "status=active" in link
    second = client.get(link).text
    assert second.count("Match ") == 5 and "Someone else" not in second


def test_a_page_brings_its_total_in_the_same_statement(app, client, auth):
    counselor = factories.CounselorFactory()
    for n in range(55):
        factories.ClientFactory(counselor=counselor, user__name=f"Match {n:02d}")
    db.session.commit()
    with counting() as statements:
        first = paged(caseload_query(counselor), 1, 50)
    assert len(statements) == 1 and first.total == 55 and len(first.items) == 50
    # An old link past the end (the list shrank) shows the last page, with its total.
    past = paged(caseload_query(counselor), 9, 50)
    assert (past.number, past.total, len(past.items)) == (2, 55, 5)
    nobody = factories.CounselorFactory()
    db.session.commit()
    with counting() as statements:
        empty = paged(caseload_query(nobody), 1, 50)
    assert len(statements) == 1 and (empty.total, empty.items, empty.pages) == (0, [], 1)
    auth.login(counselor)
    assert client.get("/clients/?page=9").text.count("Match ") == 5


def test_client_home_shows_the_latest_completed_work_and_all_on_request(app, client, auth):
    world = practice(clients=36, revisions=1, comments=0)  # the first client: 12 completed
    auth.login(world["client"])
    home = client.get("/my/").text
    assert home.count("status-completed") == 10 and "Show all 12 completed" in home
    assert client.get("/my/?done=all").text.count("status-completed") == 12


@pytest.mark.skipif(bool(PG_URL), reason="SQLite only")
def test_sqlite_write_requests_take_the_write_lock_first(app, client, auth):
    world = practice(clients=1, revisions=1, comments=0)
    auth.login(world["client"])
    seen = []
    listener = lambda conn, cursor, statement, *args: seen.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        client.get("/my/")
        assert "BEGIN IMMEDIATE" not in seen
        draft = world["draft"]
        response = client.post(f"/my/assignments/{draft.id}/draft",
                               json={"answers": ["x", "y"], "base_version": 1})
        assert response.status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert seen[seen.index("BEGIN IMMEDIATE") + 1].startswith("SELECT login_sessions")
