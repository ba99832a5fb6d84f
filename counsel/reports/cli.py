"""``flask --app counsel report CASE_ID ...``: one version of a case's progress report as
a PDF file, for batch use. It is archived exactly as the web's "Generate" archives it (the
case's counselor is the one who asked for it, the audit trail says it came from the
command line), then written to a file only its owner can read: reports hold clinical text.
"""

from __future__ import annotations

import os
import secrets
from datetime import date, timedelta
from pathlib import Path

import click

from ..clock import practice_today
from ..extensions import db
from ..models import Case
from . import operations
from .audiences import UnknownAudience, audience_from_cli
from .forms import NARRATIVE_MAX, NEXT_STEPS_MAX

DETAIL = "command line"


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.ClickException(f"{option} must be a date as YYYY-MM-DD, not "
                                   f"{value!r}.") from None


def _text(path: str | None, option: str, limit: int) -> str | None:
    """The file's text, held to what the web's form accepts in the same box."""
    if path is None:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise click.ClickException(f"{option}: {path} is not UTF-8 text.") from None
    except OSError as error:
        raise click.ClickException(f"{option}: cannot read {path} "
                                   f"({error.strerror}).") from None
    if len(text) > limit:
        raise click.ClickException(f"{option}: {path} is longer than {limit:,} characters.")
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):  # NUL too (PostgreSQL)
        raise click.ClickException(f"{option}: {path} contains an invisible control "
                                   "character.")
    return text


class _Output:
    """The PDF file, opened before anything is archived so a path that cannot be written
    fails first: created new, 0600 whatever the umask, never through a symlink. With
    ``force`` the PDF goes to a new file beside it that then replaces it (a symlink there
    is replaced, not followed), so a failed report leaves the old file as it was."""

    def __init__(self, path: str, force: bool):
        self.path = path
        self.target = path
        if force:
            folder, name = os.path.split(os.path.abspath(path))
            self.target = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
        flags = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                 | getattr(os, "O_CLOEXEC", 0))
        try:
            self.fd = os.open(self.target, flags, 0o600)
        except FileExistsError:
            raise click.ClickException(f"{path} exists; use --force to replace it.") from None
        except OSError as error:
            raise click.ClickException(f"Cannot write {path} ({error.strerror}).") from None
        os.fchmod(self.fd, 0o600)  # exactly, whatever the umask

    def write(self, data: bytes) -> None:
        with os.fdopen(self.fd, "wb") as file:
            file.write(data)
        if self.target != self.path:
            os.replace(self.target, self.path)

    def discard(self) -> None:
        os.close(self.fd)
        os.unlink(self.target)


@click.command("report")
@click.argument("case_id", type=int)
@click.option("--audience", required=True, metavar="joint|partner:EMAIL|client|counselor",
              help="Which version: the joint one, one partner's (by email), the client's "
                   "(one client's case) or the counselor's file.")
@click.option("--since", metavar="YYYY-MM-DD", help="First day (default: 30 days before "
                                                   "--until).")
@click.option("--until", metavar="YYYY-MM-DD", help="Last day (default: today, in the "
                                                   "practice's timezone).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The PDF file to write (created readable by you only).")
@click.option("--narrative-file", type=click.Path(dir_okay=False),
              help="UTF-8 text for the counselor's narrative.")
@click.option("--next-steps-file", type=click.Path(dir_okay=False),
              help="UTF-8 text for the next steps.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def report_command(case_id, audience, since, until, output, narrative_file,
                   next_steps_file, force):
    """Generate and archive one version of CASE_ID's progress report, and write its PDF."""
    until_day = _day(until, "--until") or practice_today()
    since_day = _day(since, "--since") or until_day - timedelta(days=operations.DEFAULT_DAYS)
    if until_day < since_day:
        raise click.ClickException(f"The end of the period ({until_day}) is before its "
                                   f"start ({since_day}).")
    narrative = _text(narrative_file, "--narrative-file", NARRATIVE_MAX)
    next_steps = _text(next_steps_file, "--next-steps-file", NEXT_STEPS_MAX)
    case = db.session.get(Case, case_id)
    if case is None:
        raise click.ClickException(f"There is no case {case_id}.")
    try:
        version = audience_from_cli(case, audience)
    except UnknownAudience as unknown:
        raise click.ClickException(f"{unknown}. This case's versions: "
                                   f"{_choices(case)}.") from None
    out = _Output(output, force)
    try:
        report = operations.request_report(case.counselor, case, version, since_day,
                                           until_day, excerpts=[], narrative=narrative,
                                           next_steps=next_steps, detail=DETAIL)
        operations.produce(report, detail=DETAIL)
        db.session.commit()
    except BaseException:
        out.discard()
        raise
    if not report.ready:
        out.discard()
        raise click.ClickException(f"Report {report.id} failed: {report.error}")
    out.write(report.pdf)
    click.echo(f"Report {report.id}: {version.title}, {since_day} to {until_day}")
    click.echo(f"Wrote {output}: {report.page_count} page{'s' if report.page_count != 1 else ''}"
               f", {report.size_bytes} bytes, sha256 {report.sha256}")


def _choices(case: Case) -> str:
    if case.is_couple:
        return "joint, " + ", ".join(f"partner:{c.email}" for c in case.partners) \
            + ", counselor"
    return "client, counselor"
