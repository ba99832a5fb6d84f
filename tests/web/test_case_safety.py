"""The safety flag (PRODUCT.md "Safety"): assigning an exercise that leads to contact needs
a recorded reason while the client is in an open flagged case; the flag shows on every
counselor page of the case and never on a client page; every client page has a quick exit."""

import pathlib
import re

import pytest
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import Assignment, AuditEvent, Revision, utcnow

from .. import factories
from ..conftest import Auth

REASON = "Protective order: no contact until the hearing"


@pytest.fixture
def flagged(people):
    case = factories.CaseFactory(counselor=people["counselor"],
                                 partners=[people["alex"], people["sam"]], name="Alex and Sam",
                                 safety_flagged_at=utcnow(), safety_reason=REASON)
    db.session.commit()
    return case


@pytest.fixture
def contact(people):
    exercise = factories.ExerciseFactory(owner=people["counselor"], stage="reconnection",
                                         kind="plan", title="Quality time",
                                         leads_to_contact=True)
    db.session.commit()
    return exercise


def assignments():
    db.session.expire_all()
    return db.session.scalars(select(Assignment)).all()


def test_assigning_contact_in_a_flagged_case_needs_a_reason(client, auth, people, flagged,
                                                            contact):
    auth.login(people["counselor"])
    data = {"client": people["alex"].id, "exercise": contact.id, "note": "Typed note 7",
            "case": flagged.id}
    refused = client.post("/assign", data=data)
    assert refused.status_code == 200 and "safety flag" in refused.text
    assert "Write why it is right to assign it now" in refused.text
    assert "Typed note 7" in refused.text and assignments() == []
    blank = client.post("/assign", data={**data, "contact_reason": "   "})
    assert "Write why" in blank.text and assignments() == []

    done = client.post("/assign", data={**data, "contact_reason": "Planned with both, "
                                                                    "in session"})
    assert done.status_code == 302
    (assignment,) = assignments()
    assert (assignment.contact_reason, assignment.case_id) == ("Planned with both, in session",
                                                               flagged.id)
    row = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "assignment.contact_reason")).one()
    assert (row.target_id, row.client_id) == (str(assignment.id), None)
    page = client.get(f"/assignments/{assignment.id}").text
    assert "Planned with both, in session" in page and REASON in page


def test_the_rule_looks_at_every_open_flagged_case_of_the_client(app, people, flagged,
                                                                 contact):
    """Work given in the client's own individual case is refused too while a couple's
    case they are in carries the flag; a closed flagged case no longer counts."""
    from counsel.assignments import operations
    from counsel.assignments.operations import WorkRefused

    counselor, alex = people["counselor"], people["alex"]
    own = factories.CaseFactory(counselor=counselor, partners=[alex], name="Alex alone")
    db.session.flush()
    with pytest.raises(WorkRefused) as refused:
        operations.assign(counselor, alex, contact, due_date=None, note=None, case=own)
    assert refused.value.code == "contact_reason"
    quiet = factories.ExerciseFactory(owner=counselor, leads_to_contact=False)
    assert operations.assign(counselor, alex, quiet, due_date=None, note=None).contact_reason \
        is None
    flagged.closed_at = utcnow()
    db.session.flush()
    assert operations.assign(counselor, alex, contact, due_date=None, note=None,
                             case=own).case_id == own.id


@pytest.mark.parametrize("which", ["other counselor's case", "case without the client",
                                   "closed case", "nonsense", "huge"])
def test_a_forged_or_wrong_case_on_the_assign_form_is_refused(client, auth, people, which):
    counselor = people["counselor"]
    exercise = factories.ExerciseFactory(owner=counselor)
    others = factories.CaseFactory(counselor=people["other_counselor"],
                                   partners=[people["jordan"]])
    sams = factories.CaseFactory(counselor=counselor, partners=[people["sam"]])
    closed = factories.CaseFactory(counselor=counselor, partners=[people["alex"]],
                                   closed_at=utcnow())
    db.session.commit()
    case = {"other counselor's case": others.id, "case without the client": sams.id,
            "closed case": closed.id, "nonsense": "abc", "huge": 10**12}[which]
    auth.login(counselor)
    response = client.post("/assign", data={"client": people["alex"].id, "exercise":
                                            exercise.id, "case": case, "note": "Kept 9"})
    assert response.status_code == 200
    assert 'id="case-error"' in response.text and "Kept 9" in response.text
    assert assignments() == []


def test_the_assign_form_offers_the_clients_open_cases(client, auth, people, flagged):
    factories.CaseFactory(counselor=people["counselor"], partners=[people["sam"]],
                          name="Sam alone")
    db.session.commit()
    auth.login(people["counselor"])
    page = client.get(f"/assign?client_id={people['alex'].id}&case_id={flagged.id}").text
    assert f'<option selected value="{flagged.id}">' in page
    assert "Sam alone" not in page and 'name="contact_reason"' in page
    assert "Alex and Sam" in page and "safety flag" in page


def test_the_flag_shows_on_every_counselor_page_of_the_case(client, auth, people, flagged):
    alex = people["alex"]
    assignment = factories.AssignmentFactory(client=alex, case_id=flagged.id)
    db.session.flush()
    db.session.add(Revision(assignment=assignment, number=1, answers=["a", "b"],
                            content_hash="h"))
    db.session.commit()
    auth.login(people["counselor"])
    for url in (f"/cases/{flagged.id}", f"/cases/{flagged.id}/edit",
                f"/cases/{flagged.id}/safety", f"/cases/{flagged.id}/screenings/new",
                f"/clients/{alex.id}", f"/clients/{people['sam'].id}",
                f"/assignments/{assignment.id}", f"/assignments/{assignment.id}/revisions/1"):
        page = client.get(url).text
        assert 'class="safety-flag"' in page and REASON in page, url
    assert 'class="safety-flag"' not in client.get("/clients/").text


def test_the_flag_and_screenings_never_reach_a_client(app, people, flagged):
    from counsel.cases import operations
    from counsel.clock import practice_today

    operations.record_screening(people["counselor"], flagged, people["alex"], practice_today(),
                                "concerns", "Screening words 5")
    assignment = factories.AssignmentFactory(client=people["alex"], case_id=flagged.id)
    db.session.commit()
    browser = app.test_client()
    Auth(browser).login(people["alex"].user)
    for url in ("/my/", f"/my/assignments/{assignment.id}", "/my/access"):
        page = browser.get(url).text
        assert REASON not in page and "safety-flag" not in page and "Screening words" not in page
        assert "screening" not in page.lower() and "safety flag" not in page.lower()


def test_every_client_page_has_a_quick_exit(app, people):
    browser = app.test_client()
    Auth(browser).login(people["alex"].user)
    for url in ("/my/", "/my/access", "/account/password"):
        page = browser.get(url).text
        link = re.search(r'<a class="quick-exit"[^>]*>', page).group(0)
        assert 'href="https://www.bbc.com/weather"' in link and 'rel="noreferrer"' in link
        assert 'aria-label="Quick exit: leave this site now"' in link
        assert "/static/js/quick-exit.js" in page
        assert "<script>" not in page  # no inline script (CSP)
        # First in the page, before the skip link: one tab away on any client page.
        assert page.index('class="quick-exit"') < page.index('class="skip-link"')


def test_counselor_pages_have_no_quick_exit(client, auth, people):
    auth.login(people["counselor"])
    page = client.get("/clients/").text
    assert "quick-exit" not in page


def test_the_quick_exit_url_is_configurable(database):
    from counsel import create_app

    from ..conftest import make_config
    app = create_app(make_config(database(), QUICK_EXIT_URL="https://example.com/news"))
    with app.app_context():
        factories.bind(db.session)
        alex = factories.ClientFactory()
        db.session.commit()
        browser = app.test_client()
        Auth(browser).login(alex.user)
        assert 'href="https://example.com/news"' in browser.get("/my/").text
        db.session.remove()
        db.engine.dispose()


def test_the_quick_exit_script_replaces_history_and_listens_for_escape():
    script = pathlib.Path("counsel/static/js/quick-exit.js").read_text()
    assert "window.location.replace(" in script and '"Escape"' in script
    assert "PRESSES = 3" in script
