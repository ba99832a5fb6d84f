"""Consent to quote a client's work in progress reports (issue 9): the counselor asks,
the author alone answers in the portal, sees exactly what would be quoted and where, and
may change their mind at any time; reports already generated stay exactly as they were."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import AuditEvent, CounselingSession, ExcerptConsent, Report, Share
from counsel.reports import operations
from counsel.reports.audiences import audience_from_token
from counsel.reports.document import build

from ..conftest import Auth
from . import report_world

NOTICE = "Your counselor asks whether they may quote some of your work in a progress report"


@pytest.fixture
def world(people):
    built = report_world.build(people)
    alex, couple = built["people"]["alex"], built["couple"]
    revision = report_world.reviewed_work(alex, couple, ["ALEX-QUOTE words", "ALEX-SECOND"])
    operations.request_consent(couple.counselor, couple, [revision])
    db.session.commit()
    consent = db.session.scalars(select(ExcerptConsent)).one()
    return built | {"revision": revision, "consent": consent}


def _url(consent):
    return f"/my/consents/{consent.id}"


def _decision(consent):
    db.session.expire_all()
    return db.session.get(ExcerptConsent, consent.id).decision


def _audit(action, **where):
    return list(db.session.scalars(select(AuditEvent).filter_by(action=action, **where)))


def _records(world, token):
    couple = world["couple"]
    audience = audience_from_token(couple, token.format(alex=world["people"]["alex"].id,
                                                        sam=world["people"]["sam"].id))
    first = world["reports"]["joint"]
    document = build(couple, audience, first.since, first.until,
                     excerpts=[world["revision"].id])
    return ["revisions", world["revision"].id] in document.records


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_author_is_asked_sees_what_would_be_quoted_and_agrees(client, world):
    alex, consent = world["people"]["alex"], world["consent"]
    assert not _records(world, "partner:{alex}")  # not before the author agrees
    Auth(client).login(alex.user)
    assert NOTICE in client.get("/my/").text
    listing = client.get("/my/reports")
    assert NOTICE in listing.text and _url(consent) in listing.text

    page = client.get(_url(consent))
    assert page.status_code == 200
    assert "ALEX-QUOTE words" in page.text and "ALEX-SECOND" in page.text
    assert "What happened?" in page.text  # the prompt it answers
    assert "COUNSELOR-FEEDBACK" not in page.text  # the review is never quoted
    assert "Your own version of the report" in page.text
    assert "Not the joint report" in page.text  # alex shares nothing with sam
    assert "change your mind at any time" in page.text
    assert "stays exactly as it was" in page.text
    views = _audit("consents.view")
    assert len(views) == 1
    assert (views[0].client_id, views[0].target_type, views[0].target_id) == (
        alex.id, "revisions", str(world["revision"].id))

    response = client.post(_url(consent), data={"decision": "agreed"})
    assert response.status_code == 302 and response.location.endswith("/my/reports")
    assert _decision(consent) == "agreed"
    decided = _audit("report.consent")
    assert len(decided) == 1 and decided[0].detail == "agreed"
    assert decided[0].actor_id == alex.user.id and decided[0].client_id == alex.id
    assert len(_audit("consents.view")) == 1  # answering is not another view
    assert "may quote this" in client.get("/my/reports").text  # the flash
    assert _records(world, "partner:{alex}") and _records(world, "counselor")
    assert not _records(world, "joint") and not _records(world, "partner:{sam}")
    assert NOTICE not in client.get("/my/").text  # nothing waits any more
    assert "You agreed" in client.get("/my/reports").text


def test_a_shared_revision_can_reach_the_joint_and_the_partners_version(client, world):
    alex, sam, consent = world["people"]["alex"], world["people"]["sam"], world["consent"]
    db.session.add(Share(case=world["couple"], author=alex, recipient=sam,
                         revision=world["revision"]))
    db.session.commit()
    Auth(client).login(alex.user)
    page = client.get(_url(consent))
    assert f"The joint report for you and {sam.display_name}" in page.text
    assert "Not the joint report" not in page.text
    client.post(_url(consent), data={"decision": "agreed"})
    assert _records(world, "joint") and _records(world, "partner:{sam}")


def test_declining_leaves_generated_reports_exactly_as_they_were(client, world):
    """Agree, a report quoting it is generated and handed over; then decline: a report
    built now leaves it out, the one already generated downloads byte for byte as it
    was, quote included."""
    alex, consent = world["people"]["alex"], world["consent"]
    Auth(client).login(alex.user)
    client.post(_url(consent), data={"decision": "agreed"})
    session = db.session.get(CounselingSession, world["joint_session"].id)
    report = report_world.real_report(world["couple"], f"partner:{alex.id}",
                                      [world["revision"].id], shared_at=session)
    before, digest = report.pdf, report.sha256
    assert "ALEX-QUOTE words" in _pdf_text(before)

    response = client.post(_url(consent), data={"decision": "declined"})
    assert response.status_code == 302 and _decision(consent) == "declined"
    assert "will not quote this" in client.get("/my/reports").text
    assert not _records(world, "partner:{alex}") and not _records(world, "counselor")
    db.session.expire_all()
    kept = db.session.get(Report, report.id)
    assert (kept.pdf, kept.sha256) == (before, digest)
    download = client.get(f"/my/reports/{report.id}/pdf")
    assert download.data == before and "ALEX-QUOTE words" in _pdf_text(download.data)
    # and agreeing again brings it back into new reports
    client.post(_url(consent), data={"decision": "agreed"})
    assert _records(world, "partner:{alex}")
    assert [r.detail for r in _audit("report.consent")] == ["agreed", "declined", "agreed"]


@pytest.mark.parametrize("value", ["maybe", "", "AGREED", "agreed "])
def test_an_answer_the_page_never_offers_is_refused_plainly(client, world, value):
    alex, consent = world["people"]["alex"], world["consent"]
    Auth(client).login(alex.user)
    response = client.post(_url(consent), data={"decision": value})
    assert response.status_code == 422
    assert "Choose yes or no" in response.text
    assert "ALEX-QUOTE words" in response.text  # the page again, not an error page
    assert _decision(consent) is None
    assert not _audit("report.consent")
    assert len(_audit("consents.view")) == 1


def test_no_answer_at_all_is_refused(client, world):
    Auth(client).login(world["people"]["alex"].user)
    response = client.post(_url(world["consent"]), data={})
    assert response.status_code == 422 and "Choose yes or no" in response.text
    assert _decision(world["consent"]) is None


@pytest.mark.parametrize("person", ["sam", "casey", "jordan"])
def test_another_clients_request_is_404_and_changes_nothing(client, world, person):
    reader, consent = world["people"][person], world["consent"]
    Auth(client).login(reader.user)
    assert NOTICE not in client.get("/my/").text
    assert _url(consent) not in client.get("/my/reports").text
    for response in (client.get(_url(consent)),
                     client.post(_url(consent), data={"decision": "agreed"})):
        assert response.status_code == 404
        assert "ALEX-QUOTE" not in response.text
    assert _decision(consent) is None
    refused = _audit("access.refused", actor_id=reader.user.id)
    assert [(r.target_type, r.target_id) for r in refused] == [
        ("excerpt_consents", str(consent.id))] * 2
    assert not _audit("consents.view") and not _audit("report.consent")


@pytest.mark.parametrize("person", ["counselor", "other_counselor", "admin"])
def test_other_roles_get_403(client, world, person):
    Auth(client).login(world["people"][person])
    consent = world["consent"]
    for response in (client.get(_url(consent)),
                     client.post(_url(consent), data={"decision": "agreed"})):
        assert response.status_code == 403
        assert "ALEX-QUOTE" not in response.text
    assert _decision(consent) is None and not _audit("consents.view")


def test_anonymous_people_are_sent_to_sign_in(client, world):
    consent = world["consent"]
    response = client.get(_url(consent))
    assert response.status_code == 302 and response.location.startswith("/sign-in")
    response = client.post(_url(consent), data={"decision": "agreed"})
    assert response.status_code == 401 and "ALEX-QUOTE" not in response.text  # rescue page
    assert _decision(consent) is None and not _audit("consents.view")


def test_an_unknown_id_is_404(client, world):
    Auth(client).login(world["people"]["alex"].user)
    assert client.get("/my/consents/999999").status_code == 404


def test_in_a_case_of_one_only_their_version_and_the_file_could_quote_it(client, world):
    casey = world["people"]["casey"]
    case = world["reports"]["casey"].case
    revision = report_world.reviewed_work(casey, case, ["CASEY-QUOTE words", "more"])
    operations.request_consent(case.counselor, case, [revision])
    db.session.commit()
    consent = db.session.scalars(select(ExcerptConsent).where(
        ExcerptConsent.client_id == casey.id)).one()
    Auth(client).login(casey.user)
    page = client.get(_url(consent))
    assert page.status_code == 200 and "CASEY-QUOTE words" in page.text
    assert "Your own version of the report" in page.text and "joint" not in page.text
    assert NOTICE in client.get("/my/").text
