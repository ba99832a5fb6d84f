"""Ids beyond the id columns' range are a plain 404 on every route (issue 6, section 3)."""

import pytest
from werkzeug.routing import IntegerConverter

from counsel.inputs import MAX_ID

from ..conftest import Auth
from ..routes import rules
from .workflow import letter, submit

HUGE = [MAX_ID + 1, 2**63, 10**20, 10**400]


def _urls(app, value):
    """Every route's URL with each of its integer arguments in turn set to ``value``
    (the others 1), with the route's methods."""
    for rule, methods in rules(app):
        numbers = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        for name in numbers:
            values = {n: 1 for n in numbers} | {name: value}
            for other, converter in rule._converters.items():
                if other not in values:
                    values[other] = sorted(getattr(converter, "items", ["x"]))[0]
            yield rule.build(values)[1], methods


@pytest.mark.parametrize("role", ["anonymous", "counselor", "client", "admin"])
def test_out_of_range_ids_are_404_on_every_route(app, people, role):
    client = app.test_client()
    if role != "anonymous":
        person = {"counselor": people["counselor"], "client": people["alex"].user,
                  "admin": people["admin"]}[role]
        Auth(client).login(person)
    checked = 0
    for value in HUGE:
        for url, methods in _urls(app, value):
            for method in methods:
                response = client.open(url, method=method)
                assert response.status_code == 404, (method, url, response.status_code)
                checked += 1
    assert checked >= 40


def test_the_largest_id_in_range_still_reaches_the_view(app, client, auth, people):
    auth.login(people["counselor"])
    response = client.get(f"/clients/{MAX_ID}")
    assert response.status_code == 404
    from sqlalchemy import select

    from counsel.extensions import db
    from counsel.models import AuditEvent

    refused = db.session.scalars(select(AuditEvent.target_id)
                                 .where(AuditEvent.action == "access.refused")).all()
    assert str(MAX_ID) in refused, "a 404 from the loader, not from the router"


def test_compare_ignores_out_of_range_revision_numbers(app, client, auth, people):
    assignment = letter(people)
    alex = app.test_client()
    Auth(alex).login(people["alex"].user)
    submit(alex, assignment, ["First words."])
    from counsel.extensions import db
    from counsel.models import Assignment

    db.session.get(Assignment, assignment.id)._status = "revision_requested"
    db.session.commit()
    submit(alex, assignment, ["Second words."])
    auth.login(people["counselor"])
    for value in (MAX_ID + 1, 10**20):
        response = client.get(f"/assignments/{assignment.id}/compare?from={value}&to=2")
        assert response.status_code == 200
        assert "What changed from revision 1 to 2" in response.text
