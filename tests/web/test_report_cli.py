"""``flask --app counsel report``: the batch path to a progress report. It archives the
version as the web does, writes an owner-only PDF (never through a symlink, never over a
file without --force), and says plainly what is wrong with a request."""

import hashlib
import os
import stat
from datetime import timedelta

import pytest
from sqlalchemy import select

from counsel.clock import practice_today
from counsel.extensions import db
from counsel.models import AuditEvent, CounselingSession, Report, SessionAttendee, utcnow
from counsel.reports import render
from counsel.session_log import signing

from .. import factories
from .report_steps import pdf_words


@pytest.fixture
def couple(people):
    """alex and sam's case: each has work of their own nobody else saw, and a signed
    joint session and one with sam alone."""
    alex, sam, counselor = people["alex"], people["sam"], people["counselor"]
    alex.user.name, sam.user.name = "Alex Rivera", "Sam Okafor"
    case = factories.CaseFactory(counselor=counselor, partners=[alex, sam])
    db.session.flush()
    factories.AssignmentFactory(client=alex, case=case, title="Alexwork letter")
    factories.AssignmentFactory(client=sam, case=case, title="Samwork timeline")
    now = utcnow()
    for when, attendees, summary in ((now - timedelta(days=5), [alex, sam], "Jointsummary"),
                                     (now - timedelta(days=2), [sam], "Samonlysummary")):
        held = CounselingSession(case=case, counselor=counselor, starts_at=when,
                                 duration_minutes=50, format="video",
                                 type="joint" if len(attendees) > 1 else "individual",
                                 attendees=[SessionAttendee(client=c) for c in attendees],
                                 shared_summary=summary, private_notes="Privatenotes")
        db.session.add(held)
        db.session.flush()
        signing.sign(counselor, held)
    db.session.commit()
    return {**people, "case": case}


def generate(runner, case, *options, output):
    return runner.invoke(args=["report", str(case.id), *options, "-o", str(output)])


def test_writes_an_owner_only_pdf_that_matches_its_archive_row(runner, couple, tmp_path):
    narrative = tmp_path / "narrative.txt"
    narrative.write_bytes("Narrativeword: a good month,\r\ncafé included.".encode())
    output = tmp_path / "joint.pdf"
    result = generate(runner, couple["case"], "--audience", "joint",
                      "--narrative-file", str(narrative), output=output)
    assert result.exit_code == 0, result.output
    data = output.read_bytes()
    assert data.startswith(b"%PDF")
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o600
    text = pdf_words(data)
    assert "Jointsummary" in text and "Narrativeword" in text and "café" in text
    assert "Samonlysummary" not in text and "Privatenotes" not in text

    report = db.session.scalars(select(Report)).one()
    digest = hashlib.sha256(data).hexdigest()
    assert report.status == "ready" and report.sha256 == digest and report.pdf == data
    assert report.audience == "joint" and report.generated_by_id == couple["counselor"].id
    assert report.narrative == "Narrativeword: a good month,\ncafé included."
    assert report.until == practice_today()
    assert report.since == practice_today() - timedelta(days=30)
    for shown in (f"Report {report.id}", f"{report.page_count} page", f"{len(data)} bytes",
                  digest):
        assert shown in result.output
    rows = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "report.generate")).all()
    assert sorted(r.client_id for r in rows) == sorted([couple["alex"].id, couple["sam"].id])
    assert {(r.actor_id, r.target_id, r.detail) for r in rows} == {
        (couple["counselor"].id, str(report.id), "command line")}


def test_partner_version_by_email_holds_their_own_work_only(runner, couple, tmp_path):
    output = tmp_path / "sam.pdf"
    result = generate(runner, couple["case"], "--audience", "partner:SAM@example.org",
                      "--since", (practice_today() - timedelta(days=10)).isoformat(),
                      output=output)
    assert result.exit_code == 0, result.output
    report = db.session.scalars(select(Report)).one()
    assert (report.audience, report.audience_client_id) == ("partner", couple["sam"].id)
    text = pdf_words(output.read_bytes())
    assert "Samwork timeline" in text and "Samonlysummary" in text and "Jointsummary" in text
    assert "Alexwork" not in text and "Privatenotes" not in text

    alex_pdf = tmp_path / "alex.pdf"
    result = generate(runner, couple["case"], "--audience", "partner:alex@example.org",
                      output=alex_pdf)
    assert result.exit_code == 0, result.output
    text = pdf_words(alex_pdf.read_bytes())
    assert "Alexwork letter" in text and "Jointsummary" in text
    assert "Samwork" not in text and "Samonlysummary" not in text


def test_an_existing_file_is_kept_unless_forced_and_a_symlink_never_followed(
        runner, couple, tmp_path):
    output = tmp_path / "report.pdf"
    output.write_bytes(b"keep me")
    result = generate(runner, couple["case"], "--audience", "counselor", output=output)
    assert result.exit_code != 0 and "exists; use --force" in result.output
    assert output.read_bytes() == b"keep me"
    assert db.session.scalars(select(Report)).first() is None  # nothing archived

    elsewhere = tmp_path / "elsewhere.pdf"
    link = tmp_path / "link.pdf"
    link.symlink_to(elsewhere)
    result = generate(runner, couple["case"], "--audience", "counselor", output=link)
    assert result.exit_code != 0 and "exists" in result.output
    assert not elsewhere.exists()

    os.chmod(output, 0o644)
    for target in (output, link):
        result = generate(runner, couple["case"], "--audience", "counselor", "--force",
                          output=target)
        assert result.exit_code == 0, result.output
        assert target.read_bytes().startswith(b"%PDF") and not target.is_symlink()
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert not elsewhere.exists()
    assert sorted(os.listdir(tmp_path)) == ["link.pdf", "report.pdf"]  # no temporary left


@pytest.mark.parametrize(("options", "message"), [
    (["--audience", "partner:jordan@example.org"], "is not a partner in case"),
    (["--audience", "client"], "partner:alex@example.org"),
    (["--audience", "everyone"], "is not someone this case's report is for"),
    (["--audience", "joint", "--since", "2026-03-10", "--until", "2026-03-01"],
     "end of the period (2026-03-01) is before its start (2026-03-10)"),
    (["--audience", "joint", "--since", "2026-02-30"], "--since must be a date as YYYY-MM-DD"),
    (["--audience", "joint", "--until", "yesterday"], "--until must be a date"),
    (["--audience", "joint", "--narrative-file", "/nonexistent/n.txt"],
     "--narrative-file: cannot read"),
])
def test_bad_requests_are_refused_clearly_and_archive_nothing(runner, couple, tmp_path,
                                                              options, message):
    output = tmp_path / "r.pdf"
    result = generate(runner, couple["case"], *options, output=output)
    assert result.exit_code == 1 and result.output.startswith("Error: ")
    assert message in result.output
    assert "Traceback" not in result.output
    assert not output.exists()
    assert db.session.scalars(select(Report)).first() is None


def test_unknown_case_and_text_files_the_form_would_refuse(runner, couple, tmp_path):
    result = runner.invoke(args=["report", "99999", "--audience", "joint", "-o",
                                 str(tmp_path / "r.pdf")])
    assert result.exit_code == 1 and "There is no case 99999." in result.output
    files = {"latin.txt": ("caf\xe9".encode("latin-1"), "is not UTF-8 text"),
             "nul.txt": (b"before\x00after", "contains an invisible control character"),
             "long.txt": (b"x" * 10_001, "is longer than 10,000 characters")}
    for name, (data, message) in files.items():
        (tmp_path / name).write_bytes(data)
        result = generate(runner, couple["case"], "--audience", "joint",
                          "--next-steps-file", str(tmp_path / name), output=tmp_path / "r.pdf")
        assert result.exit_code == 1 and message in result.output, name
    assert not (tmp_path / "r.pdf").exists()
    assert db.session.scalars(select(Report)).first() is None


def test_a_failed_render_is_archived_as_failed_and_writes_no_file(runner, couple, tmp_path,
                                                                  monkeypatch):
    def refuse(html, **limits):
        raise render.RenderError("The report needed more memory than allowed (1 MB).")

    monkeypatch.setattr(render, "render_pdf", refuse)
    output = tmp_path / "r.pdf"
    result = generate(runner, couple["case"], "--audience", "joint", output=output)
    assert result.exit_code == 1
    assert "failed: The report needed more memory than allowed (1 MB)." in result.output
    assert not output.exists() and os.listdir(tmp_path) == []
    report = db.session.scalars(select(Report)).one()
    assert report.status == "failed" and report.pdf is None
    assert "more memory" in report.error
    failed = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "report.failed")).one()
    assert (failed.target_id, failed.outcome, failed.detail) == (
        str(report.id), "failed", "command line")


def test_an_individual_case_takes_client_and_dates(runner, people, tmp_path):
    case = factories.CaseFactory(counselor=people["counselor"], partners=[people["alex"]])
    db.session.commit()
    output = tmp_path / "client.pdf"
    result = generate(runner, case, "--audience", "client", "--since", "2026-01-01",
                      "--until", "2026-01-31", output=output)
    assert result.exit_code == 0, result.output
    report = db.session.scalars(select(Report)).one()
    assert (report.audience, report.audience_client_id) == ("client", people["alex"].id)
    assert (report.since.isoformat(), report.until.isoformat()) == ("2026-01-01",
                                                                     "2026-01-31")
    assert "2026-01-01 to 2026-01-31" in result.output
    assert output.read_bytes().startswith(b"%PDF")
