"""The access history in plain words: repeats folded into one line, pages of a fixed
number of lines that do not shift, filters by who and by kind, a phrase for every action
the app records, and a query count that does not grow with the page."""

import pathlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert

from counsel import history
from counsel.extensions import db
from counsel.models import AuditEvent

from ..factories import AssignmentFactory

EVENING = datetime(2026, 11, 20, 21, 2, tzinfo=UTC)  # GMT in London in November


def add_rows(rows):
    """Audit rows written straight in, oldest first (ids follow the list's order)."""
    db.session.execute(insert(AuditEvent), [
        {"at": at, "actor_id": actor.id if actor else None, "action": action,
         "target_type": target_type, "target_id": str(target_id) if target_id else None,
         "client_id": client.id, "outcome": outcome}
        for at, actor, action, target_type, target_id, client, outcome in rows])
    db.session.commit()


@pytest.fixture
def letter(people):
    work = AssignmentFactory(client=people["alex"], title="Apology letter")
    db.session.commit()
    return work


def lines(html: str) -> list[str]:
    cells = re.findall(r'<td data-label="What">(.*?)</td>', html, re.S)
    return [re.sub(r"\s+", " ", c).strip() for c in cells]


def test_two_hundred_autosaves_are_one_line(client, auth, people, letter):
    from counsel.assignments import operations

    alex, counselor = people["alex"], people["counselor"]
    draft = operations.save_draft(alex.user, letter, ["Dear Sam", ""], 0)
    add_rows([(EVENING - timedelta(hours=1), counselor, "assignment.view", "assignments",
               letter.id, alex, "success")]
             + [(EVENING + timedelta(seconds=11 * n), alex.user, "draft.save", "drafts",
                 draft.id, alex, "success") for n in range(210)])
    auth.login(counselor)
    page = client.get(f"/clients/{alex.id}/access")
    assert page.status_code == 200
    shown = lines(page.text)
    assert (f"{alex.name} edited the draft of “Apology letter”, 210 times between 21:02 "
            "and 21:40.") in shown
    assert "You opened “Apology letter”." in shown
    # ...and Alex's first save, made for real before the rows above; this visit itself is
    # recorded after the page is read.
    assert len(shown) == 3
    assert "Older" not in page.text


def test_drafts_revisions_and_reviews_are_named_by_their_assignment(client, auth, people,
                                                                   letter):
    from counsel.assignments import operations

    alex = people["alex"]
    draft = operations.save_draft(alex.user, letter, ["Words only Alex wrote", "More"], 0)
    operations.submit(alex.user, letter, ["Words only Alex wrote", "More"], draft.version)
    db.session.commit()
    auth.login(alex.user)
    page = client.get("/my/access").text
    assert "You edited the draft of “Apology letter”, 2 times at " in page
    assert "You submitted revision 1 of “Apology letter”." in lines(page)
    assert "Words only Alex wrote" not in page


def test_pages_hold_fifty_lines_and_do_not_shift(client, auth, people):
    alex, counselor = people["alex"], people["counselor"]
    # 120 lines that do not fold: the actor alternates.
    add_rows([(EVENING + timedelta(minutes=n), counselor if n % 2 else alex.user,
               "client.view" if n % 2 else "portal.home.view", "clients", alex.id, alex,
               "success") for n in range(120)])
    auth.login(counselor)
    first = client.get(f"/clients/{alex.id}/access").text
    assert len(lines(first)) == history.PAGE_SIZE
    older = re.search(r'href="([^"]+)" rel="next"|rel="next" href="([^"]+)"', first)
    older_url = (older.group(1) or older.group(2)).replace("&amp;", "&")
    second = client.get(older_url).text
    assert len(lines(second)) == history.PAGE_SIZE
    assert client.get(older_url).text.count("<tr") == second.count("<tr")
    assert lines(client.get(older_url).text) == lines(second)  # new rows do not shift it
    third_link = re.search(r'rel="next" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    third = client.get(third_link).text
    # Visits recorded meanwhile are newer than the cursor: the oldest page is the rest.
    assert len(lines(third)) == 120 - 2 * history.PAGE_SIZE
    assert 'rel="next"' not in third
    newer_link = re.search(r'rel="prev" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    assert lines(client.get(newer_link).text)[-1] == lines(first)[-1]


@pytest.mark.parametrize("who, kind, expected", [
    ("client", "all", {"alex opened the My work page", "alex signed in"}),
    ("counselor", "all", {"counselor opened the client page", "counselor assigned a record"}),
    ("all", "views", {"alex opened the My work page", "counselor opened the client page"}),
    ("all", "changes", {"counselor assigned a record"}),
    ("all", "sign-ins", {"alex signed in", "nobody tried to sign in with the wrong password"}),
    ("all", "refusals", {"nobody tried to sign in with the wrong password"}),
])
def test_filters_by_who_and_by_kind(client, auth, people, who, kind, expected):
    alex, counselor = people["alex"], people["counselor"]
    add_rows([
        (EVENING, None, "auth.sign_in", "users", alex.user.id, alex, "failure"),
        (EVENING, alex.user, "auth.sign_in", "clients", alex.id, alex, "success"),
        (EVENING, alex.user, "portal.home.view", "clients", alex.id, alex, "success"),
        (EVENING, counselor, "assignment.create", "assignments", 999, alex, "success"),
        (EVENING, counselor, "client.view", "clients", alex.id, alex, "success"),
    ])
    names = {alex.name: "alex", "You": "counselor", "Someone who was not signed in": "nobody"}
    auth.login(counselor)
    page = client.get(f"/clients/{alex.id}/access?who={who}&kind={kind}")
    assert page.status_code == 200
    shown = set()
    for line in lines(page.text):
        for name, short in names.items():
            if line.startswith(name + " "):
                line = short + line[len(name):]
        shown.add(line.rstrip("."))
    assert shown == expected
    assert f'<option value="{kind}" selected>' in page.text


def test_bad_arguments_fall_back_to_everything(client, auth, people):
    auth.login(people["counselor"])
    for query in ("who=x&kind=y", "before=abc", "after=-1", "before=" + "9" * 30):
        response = client.get(f"/clients/{people['alex'].id}/access?{query}")
        assert response.status_code == 200, query


def recorded_actions() -> set[str]:
    """Every action name the code passes to audit.record or audit.record_now (a literal, or
    a literal-if-else-literal), and the ones sign-in passes through ``_begin_session``."""
    first_argument = re.compile(
        r'(?:audit\.record(?:_now)?|_begin_session)\(\s*(?:\w+,\s*)?'
        r'("[a-z_.]+"(?:\s+if\s+[^"\n]+?\s+else\s+"[a-z_.]+")?)')
    found = set()
    for path in pathlib.Path("counsel").rglob("*.py"):
        for argument in first_argument.findall(path.read_text()):
            found.update(re.findall(r'"([a-z_]+\.[a-z_.]+)"', argument))
    return found


def test_every_recorded_action_has_plain_words():
    actions = recorded_actions()
    assert {"draft.save", "auth.sign_in", "account.deactivate", "account.reactivate",
            "client.transfer", "auth.password_change"} <= actions
    missing = actions - set(history.PHRASES)
    assert not missing, missing
    assert history.describe("session.note_unknown", "success", None) == "session note unknown"
    assert history.describe("auth.sign_in", "failure", None) == \
        "tried to sign in with the wrong password"
    assert history.describe("client.view", "denied", None) == "opened the client page (denied)"


def count_queries(client, url) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def test_a_page_costs_the_same_number_of_queries_however_full(client, auth, people, letter):
    alex, counselor = people["alex"], people["counselor"]
    kinds = [("assignment.view", "assignments", letter.id), ("draft.save", "drafts", 1),
             ("revision.view", "revisions", 1), ("review.send", "reviews", 1),
             ("review.comment", "review_comments", 1)]

    def batch(start, n):
        return [(EVENING + timedelta(minutes=start + i), counselor if i % 2 else alex.user,
                 *kinds[i % len(kinds)], alex, "success") for i in range(n)]

    add_rows(batch(0, 5))
    auth.login(counselor)
    url = f"/clients/{alex.id}/access"
    few = count_queries(client, url)
    add_rows(batch(10, 300))
    many = count_queries(client, url)
    assert few == many
