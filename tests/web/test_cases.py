"""Cases: opening one for a client or a couple, the case page, renaming, closing and
reopening, screenings; the full access matrix for every case route; refusals that change
nothing and keep what was typed."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from counsel.cases import operations
from counsel.cases.operations import CaseRefused
from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import (
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

from .. import factories
from ..conftest import Auth


@pytest.fixture
def couple(people):
    case = factories.CaseFactory(counselor=people["counselor"], partners=[people["alex"],
                                                                          people["sam"]],
                                 name="Alex and Sam")
    db.session.commit()
    return case


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- access matrix ---------------------------------------------------------------------------

def routes(case_id: int, alex_id: int):
    """(method, url, form data) for every route of the cases blueprint."""
    today = practice_today().isoformat()
    return [
        ("GET", "/cases/", None),
        ("GET", "/cases/?q=alex&status=all", None),
        ("GET", "/cases/new", None),
        ("POST", "/cases/new", {"name": "New", "partner_one": alex_id, "partner_two": 0}),
        ("GET", f"/cases/{case_id}", None),
        ("GET", f"/cases/{case_id}/edit", None),
        ("POST", f"/cases/{case_id}/edit", {"name": "Renamed"}),
        ("GET", f"/cases/{case_id}/safety", None),
        ("POST", f"/cases/{case_id}/safety", {"reason": "A protective order"}),
        ("POST", f"/cases/{case_id}/safety/clear", {}),
        ("GET", f"/cases/{case_id}/screenings/new", None),
        ("POST", f"/cases/{case_id}/screenings/new",
         {"client": alex_id, "screened_on": today, "outcome": "no_concerns", "note": "n"}),
        ("POST", f"/cases/{case_id}/close", {}),
        ("POST", f"/cases/{case_id}/reopen", {}),
    ]


def test_every_case_route_is_in_the_matrix(app, couple, people):
    listed = {(m, url.split("?")[0]) for m, url, _ in routes(couple.id, people["alex"].id)}
    adapter = app.url_map.bind("localhost")
    endpoints = {adapter.match(url, method=m)[0] for m, url in listed}
    in_app = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("cases.")}
    assert endpoints == in_app


def test_the_owner_gets_every_route(client, auth, people, couple):
    auth.login(people["counselor"])
    for method, url, data in routes(couple.id, people["alex"].id):
        response = client.open(url, method=method, data=data)
        assert response.status_code in (200, 302), (method, url, response.status_code)
        if response.status_code == 302:
            assert response.location.startswith("/cases/"), (method, url)


def test_another_counselor_gets_404_and_never_the_case(client, auth, people, couple):
    auth.login(people["other_counselor"])
    before = (fresh(Case, couple.id).name, count(Case), count(SafetyScreening))
    for method, url, data in routes(couple.id, people["alex"].id):
        response = client.open(url, method=method, data=data)
        if url.startswith(f"/cases/{couple.id}"):
            assert response.status_code == 404, (method, url, response.status_code)
        else:
            # Their own list and form: the owner's case and clients are not in them.
            assert response.status_code in (200, 422), (method, url, response.status_code)
        assert "Alex and Sam" not in response.text and people["alex"].email not in response.text
    case = fresh(Case, couple.id)
    assert (case.name, count(Case), count(SafetyScreening)) == before
    assert not case.flagged and case.is_open
    refused = count(AuditEvent, AuditEvent.action == "access.refused",
                    AuditEvent.target_type == "cases")
    assert refused == 10


@pytest.mark.parametrize("who", ["alex", "sam", "jordan", "admin"])
def test_clients_and_the_admin_get_403(client, auth, people, couple, who):
    auth.login(people[who] if who == "admin" else people[who].user)
    for method, url, data in routes(couple.id, people["alex"].id):
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (who, method, url, response.status_code)
        assert "Alex and Sam" not in response.text
    assert fresh(Case, couple.id).name == "Alex and Sam"
    assert count(SafetyScreening) == 0


def test_anonymous_people_are_sent_to_sign_in(client, people, couple):
    for method, url, data in routes(couple.id, people["alex"].id):
        response = client.open(url, method=method, data=data)
        if method == "POST":
            # A signed-out post hands back what was typed (401), never the case.
            assert response.status_code in (302, 401), (method, url)
        else:
            assert response.status_code == 302 and response.location.startswith("/sign-in")
        assert "Alex and Sam" not in response.text


# --- operations --------------------------------------------------------------------------------

def test_open_case_individual_and_couple(app, people):
    counselor, alex, sam = people["counselor"], people["alex"], people["sam"]
    one = operations.open_case(counselor, "  Alex alone ", [alex])
    two = operations.open_case(counselor, "Alex and Sam", [alex, sam])
    db.session.commit()
    assert (one.kind, one.name, one.partners) == ("individual", "Alex alone", [alex])
    assert (two.kind, two.partners, [m.position for m in two.members]) == \
        ("couple", [alex, sam], [1, 2])
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.create")).all()
    assert sorted((r.target_id, r.client_id) for r in rows) == sorted(
        [(str(one.id), alex.id), (str(two.id), alex.id), (str(two.id), sam.id)])


@pytest.mark.parametrize("problem", ["same twice", "other counselor's", "deactivated", "none",
                                     "three", "no name"])
def test_open_case_refusals_create_nothing(app, people, problem):
    counselor, alex, sam, jordan = (people[k] for k in ("counselor", "alex", "sam", "jordan"))
    if problem == "deactivated":
        sam.user.active = False
    name, clients = {"same twice": ("A", [alex, alex]), "other counselor's": ("A", [alex, jordan]),
                     "deactivated": ("A", [alex, sam]), "none": ("A", []),
                     "three": ("A", [alex, sam, alex]), "no name": ("  ", [alex])}[problem]
    with pytest.raises(CaseRefused) as refused:
        operations.open_case(counselor, name, clients)
    assert refused.value.message
    db.session.flush()
    assert count(Case) == 0 and count(CaseMember) == 0


def test_close_reopen_rename_and_the_flag(app, people, couple):
    counselor = people["counselor"]
    operations.rename(counselor, couple, "Renamed")
    operations.close_case(counselor, couple)
    with pytest.raises(CaseRefused):
        operations.close_case(counselor, couple)
    assert not couple.is_open
    operations.reopen_case(counselor, couple)
    with pytest.raises(CaseRefused):
        operations.reopen_case(counselor, couple)
    with pytest.raises(CaseRefused, match="reason"):
        operations.set_safety_flag(counselor, couple, "   ")
    assert not couple.flagged
    operations.set_safety_flag(counselor, couple, "Protective order in place")
    assert couple.flagged and couple.safety_flagged_at and couple.safety_reason
    operations.clear_safety_flag(counselor, couple)
    assert not couple.flagged
    with pytest.raises(CaseRefused):
        operations.clear_safety_flag(counselor, couple)
    db.session.commit()
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_type == "cases").order_by(AuditEvent.id)).all()
    assert actions == ["case.update"] * 2 + ["case.close"] * 2 + ["case.reopen"] * 2 + \
        ["case.flag", "case.unflag"]
    # The flag's rows name no client: a partner's access history never shows them.
    flag_rows = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action.in_(("case.flag", "case.unflag")))).all()
    assert all(r.client_id is None for r in flag_rows)


def test_record_screening_rules(app, people, couple):
    counselor, alex, jordan = people["counselor"], people["alex"], people["jordan"]
    today = practice_today()
    screening = operations.record_screening(counselor, couple, alex, today, "concerns", " note ")
    assert (screening.client_id, screening.outcome, screening.note) == (alex.id, "concerns",
                                                                        "note")
    bad = [(jordan, today, "no_concerns", "partner"),
           (alex, today + timedelta(days=1), "no_concerns", "future"),
           (alex, today.replace(year=today.year - 6), "no_concerns", "years"),
           (alex, None, "no_concerns", "date"),
           (alex, today, "maybe", "outcome")]
    for client, day, outcome, words in bad:
        with pytest.raises(CaseRefused, match=words):
            operations.record_screening(counselor, couple, client, day, outcome, None)
    db.session.commit()
    assert count(SafetyScreening) == 1
    row = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "screening.create")).one()
    assert row.client_id is None and row.target_type == "safety_screenings"


def test_adding_a_client_opens_their_individual_case(client, auth, people):
    auth.login(people["counselor"])
    response = client.post("/clients/new", data={"name": "Robin Park",
                                                 "email": "robin@example.org"})
    assert response.status_code == 200
    robin = db.session.scalars(select(Client).join(Client.user)
                               .where(User.email == "robin@example.org")).one()
    case = db.session.scalars(select(Case).join(CaseMember)
                              .where(CaseMember.client_id == robin.id)).one()
    assert (case.kind, case.name, case.counselor_id, case.is_open) == \
        ("individual", "Robin Park", people["counselor"].id, True)


# --- the pages -----------------------------------------------------------------------------------

def test_opening_a_couple_case_through_the_form(client, auth, people):
    auth.login(people["counselor"])
    page = client.get(f"/cases/new?client_id={people['alex'].id}")
    assert page.status_code == 200
    assert f'<option selected value="{people["alex"].id}">' in page.text
    assert people["jordan"].name not in page.text
    response = client.post("/cases/new", data={"name": "Alex & Sam", "partner_one":
                                               people["alex"].id,
                                               "partner_two": people["sam"].id})
    assert response.status_code == 302
    case = db.session.scalars(select(Case)).one()
    assert response.location == f"/cases/{case.id}"
    assert (case.kind, case.name) == ("couple", "Alex & Sam")
    shown = client.get(response.location).text
    assert "Alex &amp; Sam" in shown and "Log or schedule a session" in shown


@pytest.mark.parametrize("problem", ["same twice", "other counselor's client", "no client",
                                     "forged id", "no name"])
def test_bad_case_forms_keep_what_was_typed(client, auth, people, problem):
    auth.login(people["counselor"])
    alex, sam, jordan = people["alex"].id, people["sam"].id, people["jordan"].id
    data = {"same twice": {"partner_one": alex, "partner_two": alex},
            "other counselor's client": {"partner_one": alex, "partner_two": jordan},
            "no client": {"partner_one": 0, "partner_two": sam},
            "forged id": {"partner_one": "x", "partner_two": sam},
            "no name": {"partner_one": alex, "name": ""}}[problem]
    response = client.post("/cases/new", data={"name": "Typed name 42", **data})
    assert response.status_code == 422
    assert 'class="error"' in response.text
    if problem != "no name":
        assert 'value="Typed name 42"' in response.text
    if problem in ("same twice", "other counselor's client"):
        assert 'id="partner_two-error"' in response.text
    assert count(Case) == 0 and count(CaseMember) == 0


def test_case_index_searches_and_filters(client, auth, people, couple):
    factories.CaseFactory(counselor=people["counselor"], partners=[people["sam"]],
                          name="Sam 100%_alone", closed_at=utcnow(),
                          safety_flagged_at=utcnow(), safety_reason="r")
    factories.CaseFactory(counselor=people["other_counselor"], partners=[people["jordan"]],
                          name="Jordan's case")
    db.session.commit()
    auth.login(people["counselor"])

    def names(query):
        text = client.get("/cases/" + query).text
        return {n for n in ("Alex and Sam", "Sam 100%_alone", "Jordan&#39;s case") if n in text}

    assert names("") == {"Alex and Sam"}
    assert names("?status=all") == {"Alex and Sam", "Sam 100%_alone"}
    assert names("?status=closed") == {"Sam 100%_alone"}
    assert names("?status=flagged") == {"Sam 100%_alone"}
    assert names("?status=all&q=alex@example") == {"Alex and Sam"}
    assert names("?status=all&q=sam") == {"Alex and Sam", "Sam 100%_alone"}
    # LIKE wildcards typed in the search match themselves.
    assert names("?status=all&q=100%25_") == {"Sam 100%_alone"}
    assert names("?status=all&q=%25") == {"Sam 100%_alone"}
    assert names("?status=all&q=a_") == set()
    assert names("?status=nonsense&q=jordan") == set()


def test_the_case_page_shows_the_case(client, auth, people, couple):
    counselor, alex, sam = people["counselor"], people["alex"], people["sam"]
    exercise = factories.ExerciseFactory(owner=counselor, stage="apology", title="Letter one")
    early = factories.ExerciseFactory(owner=counselor, stage="understanding", title="Map it")
    in_case = factories.AssignmentFactory(client=alex, exercise=exercise, case_id=couple.id)
    factories.AssignmentFactory(client=alex, exercise=early, case_id=couple.id)
    factories.AssignmentFactory(client=sam, title="Elsewhere", exercise=exercise)
    session = factories.CounselingSessionFactory(case=couple)
    db.session.flush()
    factories.AgreementFactory(session=session, text="Talk on Sundays", binds=sam)
    db.session.flush()  # the agreement first: a signed session takes no new parts
    session.signed_at = utcnow()
    session.signed_by_id = counselor.id
    session.content_hash = "0" * 64
    revision = Revision(assignment=in_case, number=1, answers=["a", "b"], content_hash="h")
    db.session.add(revision)
    db.session.flush()
    db.session.add(Share(case_id=couple.id, author_id=alex.id, recipient_id=sam.id,
                         revision_id=revision.id))
    db.session.add(Share(case_id=couple.id, author_id=alex.id, recipient_id=sam.id,
                         revision_id=revision.id, withdrawn_at=utcnow()))
    operations.record_screening(counselor, couple, sam, practice_today(), "concerns",
                                "Private screening words")
    db.session.commit()
    auth.login(counselor)
    before = db.session.scalar(select(func.max(AuditEvent.id)))
    page = client.get(f"/cases/{couple.id}").text
    assert "Letter one" in page and "Elsewhere" not in page
    assert page.index("Map it") < page.index("Letter one")  # guide order
    assert f'/sessions/{session.id}"' in page and "Talk on Sundays" in page
    assert "Not followed up yet" in page and f"/cases/{couple.id}/sessions/new" in page
    assert "Private screening words" in page and "Concerns noted" in page
    assert page.count(f"/assignments/{in_case.id}/revisions/1") == 1
    views = db.session.scalars(select(AuditEvent).where(AuditEvent.id > before,
                                                        AuditEvent.action == "case.view")).all()
    assert sorted(r.client_id for r in views) == sorted([alex.id, sam.id])
    assert all(r.target_id == str(couple.id) for r in views)


def test_the_case_page_lists_the_latest_twenty_sessions(client, auth, people, couple):
    start = utcnow() - timedelta(days=400)
    for week in range(25):
        factories.CounselingSessionFactory(case=couple, starts_at=start + timedelta(weeks=week))
    db.session.commit()
    auth.login(people["counselor"])
    page = client.get(f"/cases/{couple.id}").text
    assert len(re.findall(r'href="/sessions/\d+"', page)) == 20
    assert f"/sessions/?case_id={couple.id}" in page and "All 25 sessions" in page
    first = db.session.scalars(select(CounselingSession).order_by(
        CounselingSession.starts_at)).first()
    assert f'href="/sessions/{first.id}"' not in page


def test_rename_close_reopen_flag_and_screen_through_the_pages(client, auth, people, couple):
    auth.login(people["counselor"])
    base = f"/cases/{couple.id}"
    assert client.post(base + "/edit", data={"name": ""}).status_code == 422
    assert client.post(base + "/edit", data={"name": "New name"}).status_code == 302
    assert client.post(base + "/safety", data={"reason": " "}).status_code == 422
    assert fresh(Case, couple.id).safety_flagged_at is None
    assert client.post(base + "/safety", data={"reason": "Protective order"}).status_code == 302
    assert "Protective order" in client.get(base + "/safety").text
    future = (practice_today() + timedelta(days=2)).isoformat()
    refused = client.post(base + "/screenings/new", data={
        "client": people["alex"].id, "screened_on": future, "outcome": "no_concerns",
        "note": "Typed note"})
    assert refused.status_code == 422 and "future" in refused.text and "Typed note" in refused.text
    stranger = client.post(base + "/screenings/new", data={
        "client": people["jordan"].id, "screened_on": practice_today().isoformat(),
        "outcome": "no_concerns"})
    assert stranger.status_code == 422
    assert count(SafetyScreening) == 0
    assert client.post(base + "/close").status_code == 302
    assert not fresh(Case, couple.id).is_open
    assert client.post(base + "/reopen").status_code == 302
    assert client.post(base + "/safety/clear").status_code == 302
    case = fresh(Case, couple.id)
    assert (case.name, case.is_open, case.flagged) == ("New name", True, False)


def test_the_caseload_and_client_page_list_cases(client, auth, people, couple):
    factories.CaseFactory(counselor=people["other_counselor"], partners=[people["jordan"]],
                          name="Not yours")
    db.session.commit()
    auth.login(people["counselor"])
    assert 'href="/cases/"' in client.get("/clients/").text
    caseload = client.get("/clients/?q=a").text
    assert "Alex and Sam" in caseload and "Not yours" not in caseload
    assert "Alex and Sam" in client.get("/clients/?q=alex@").text  # a partner's email
    assert "Alex and Sam" not in client.get("/clients/?q=nobody-matches").text
    page = client.get(f"/clients/{people['alex'].id}").text
    assert "Alex and Sam" in page and f"/cases/new?client_id={people['alex'].id}" in page


def test_assigning_links_the_latest_open_case(app, people, couple):
    """With no case chosen, work goes to the client's most recently opened open case; a
    client in no case at all (made by a factory) still gets work, with no case."""
    from counsel.assignments import operations as work

    exercise = factories.ExerciseFactory(owner=people["counselor"])
    lone = factories.ClientFactory(counselor=people["counselor"])
    assignment = work.assign(people["counselor"], lone, exercise, due_date=None, note=None)
    assert assignment.case_id is None
    alex_work = work.assign(people["counselor"], people["alex"], exercise, due_date=None,
                            note=None)
    assert alex_work.case_id == couple.id
    assert count(Assignment) == 2


def test_a_signed_in_client_page_never_shows_cases(app, people, couple):
    client = app.test_client()
    Auth(client).login(people["alex"].user)
    assert "Alex and Sam" not in client.get("/my/").text
