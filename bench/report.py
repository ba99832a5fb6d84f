"""Progress-report benchmark (issue 9): a couple's case with a year of work, every version
of its report for the year and for 30 days, and what our own work adds to WeasyPrint's.

Seeds one counselor and one couple with bench/seed.py's helpers: 52 weekly sessions (51
signed; joint and mediated ones with agreements and follow-ups, every fourth an individual
one, shared summaries of 40-110 words, private notes), 120 assignments in every status and
guide stage with revisions and sent reviews, a year of audit activity, and six excerpts
whose authors agreed to be quoted (four shared with the other partner). Then, for each
range and each version (joint, each partner, the counselor's file), the median of
``--rounds`` rounds of:

- html: the HTML built (counsel.reports.document.build + pdf_html, queries included);
- weasy: WeasyPrint alone on that same HTML, here in this process, warm
  (counsel.reports.render.render_in_process);
- child: the bounded child render of that HTML alone (render.render_pdf), to show the
  cost of the process boundary;
- whole: the whole report as the app makes it: operations.request_report + produce
  (build, bounded child render, store) + commit;
- ratio: whole / weasy (target: at most 1.15).

Last, re-downloading the year's joint report (GET /reports/<id>/pdf through the Flask test
client) with render_pdf and render_in_process patched to raise: it serves the stored bytes.
A benchmark, not a test: it prints, it asserts nothing about time.

    .venv/bin/python bench/report.py                  # fresh SQLite file
    .venv/bin/python bench/report.py --pg             # throwaway PostgreSQL database
    .venv/bin/python bench/report.py --rounds 5 --profile   # + pyinstrument of the html step
"""

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from multiprocessing import forkserver
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench import seed  # noqa: E402
from bench.practice import _create_pg_database  # noqa: E402
from counsel import create_app  # noqa: E402
from counsel.extensions import db  # noqa: E402
from counsel.models import (  # noqa: E402
    Assignment,
    Case,
    ExcerptConsent,
    Report,
    Review,
    Revision,
    Share,
    User,
)
from counsel.reports import operations, render  # noqa: E402
from counsel.reports.audiences import audience_from_token, audiences_for  # noqa: E402
from counsel.reports.document import build, pdf_html  # noqa: E402

PG_REPORT = "postgresql+psycopg://postgres@127.0.0.1:5432/counsel_bench_report"
# One counselor, one couple (bench/seed_cases.py gives the counselor's first couple a year
# of weekly sessions), 60 assignments each, about a hundred audit rows a week.
SHAPE = {"assignments_per_client": 60, "audit_rows": 5_200}
SCALE = 0.001  # counts(): 2 clients, 1 counselor
EXCERPTS_EACH, SHARED_EACH = 3, 2
RANGES = (("year", 365), ("30 days", 30))


def seed_year(url: str) -> int:
    """Seed the couple's year into an empty database; returns the case id."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "s" * 40})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        rows = seed.seed(SCALE, **SHAPE)
        case = db.session.scalars(select(Case).where(Case.kind == "couple")).one()
        _excerpts(case)
        db.session.commit()
        print(f"seeded in {time.perf_counter() - started:.1f} s: "
              + ", ".join(f"{v:,} {k}" for k, v in rows.items() if v), flush=True)
        case_id = case.id
        db.engine.dispose()
    return case_id


def _excerpts(case: Case) -> None:
    """Each partner's latest reviewed revisions, agreed to be quoted; the first
    SHARED_EACH of them shared with the other partner (so the joint version quotes them)."""
    partners = case.partners
    for author, other in (partners, partners[::-1]):
        revisions = db.session.scalars(
            select(Revision).join(Revision.assignment).join(Revision.review)
            .where(Assignment.case_id == case.id, Assignment.client_id == author.id,
                   Review.sent_at.is_not(None))
            .order_by(Revision.submitted_at.desc()).limit(EXCERPTS_EACH)).all()
        for n, revision in enumerate(revisions):
            db.session.add(ExcerptConsent(revision_id=revision.id, client_id=author.id,
                                          requested_by_id=case.counselor_id,
                                          decision="agreed", decided_at=seed.NOW))
            if n < SHARED_EACH:
                db.session.add(Share(case_id=case.id, author_id=author.id,
                                     recipient_id=other.id, revision_id=revision.id,
                                     shared_at=seed.NOW))


def _cpu_of(pid: int, fields: slice) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        values = stat.read().rsplit(")", 1)[1].split()
    return sum(int(f) for f in values[fields]) / os.sysconf("SC_CLK_TCK")


def _forkserver_cpu() -> float:
    """CPU seconds of the renderer: its forkserver with the children it has reaped
    (utime, stime, cutime, cstime), and the live renderer child that serves reports."""
    total = _cpu_of(forkserver._forkserver._forkserver_pid, slice(11, 15))
    if render._renderer is not None and render._renderer.process.is_alive():
        total += _cpu_of(render._renderer.process.pid, slice(11, 13))
    return total


def _timed(function):
    """(wall seconds, CPU seconds of this process and of the render children, result).
    This machine is shared: CPU time is what the work costs, whoever else runs."""
    started, cpu, children = time.perf_counter(), time.process_time(), _forkserver_cpu()
    result = function()
    return (time.perf_counter() - started,
            time.process_time() - cpu + _forkserver_cpu() - children, result)


class Bench:
    def __init__(self, app, case_id: int):
        self.app, self.case_id = app, case_id
        case = db.session.get(Case, case_id)
        self.excerpts = sorted(db.session.scalars(select(ExcerptConsent.revision_id)))
        self.tokens = [a.token for a in audiences_for(case)]
        self.counselor_id = case.counselor_id
        self.limits = render.limits_from(app)
        self.until = seed.TODAY

    def _fresh(self, token: str):
        """The case and audience loaded again, as a request or a worker would."""
        db.session.commit()  # ends the transaction; every object is loaded again
        case = db.session.get(Case, self.case_id)
        return case, audience_from_token(case, token)

    def html(self, token: str, days: int) -> str:
        case, audience = self._fresh(token)
        document = build(case, audience, self.until - timedelta(days=days), self.until,
                         excerpts=self.excerpts, narrative=NARRATIVE, next_steps=NEXT_STEPS)
        return pdf_html(document, render.ASSET_ORIGIN)

    def whole(self, token: str, days: int) -> Report:
        case, audience = self._fresh(token)
        actor = db.session.get(User, self.counselor_id)
        report = operations.request_report(
            actor, case, audience, self.until - timedelta(days=days), self.until,
            excerpts=self.excerpts, narrative=NARRATIVE, next_steps=NEXT_STEPS)
        operations.produce(report)
        db.session.commit()
        if not report.ready:
            raise SystemExit(f"{token}: the report failed: {report.error}")
        return report

    def round(self, token: str, days: int) -> dict:
        html_s, html_cpu, html = _timed(lambda: self.html(token, days))
        page_size = self.limits["page_size"]
        weasy_s, weasy_cpu, alone = _timed(
            lambda: render.render_in_process(html, page_size=page_size))
        child_s, child_cpu, _ = _timed(lambda: render.render_pdf(html, **self.limits))
        whole_s, whole_cpu, report = _timed(lambda: self.whole(token, days))
        return {"html": html_s, "weasy": weasy_s, "child": child_s, "whole": whole_s,
                "html_cpu": html_cpu, "weasy_cpu": weasy_cpu, "child_cpu": child_cpu,
                "whole_cpu": whole_cpu, "pages": alone.pages, "bytes": len(alone.pdf),
                "report_id": report.id, "report_pages": report.page_count}


NARRATIVE = ("Over this period both partners have kept coming, done most of what was asked "
             "and begun to use the listening exercises outside the sessions. " * 4).strip()
NEXT_STEPS = "Continue the weekly joint sessions; begin the rebuilding-trust exercises."


def download(app, report_id: int, email: str, rounds: int) -> list[float]:
    """GET the archived PDF through the test client with rendering made impossible."""
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": seed.PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"sign-in as {email} answered {response.status_code}")
    stored = db.session.get(Report, report_id)
    expected = stored.sha256
    refuse = mock.Mock(side_effect=AssertionError("an archived report was rendered again"))
    times = []
    with mock.patch.object(render, "render_pdf", refuse), \
            mock.patch.object(render, "render_in_process", refuse):
        for _ in range(rounds):
            started = time.perf_counter()
            response = client.get(f"/reports/{report_id}/pdf")
            times.append(time.perf_counter() - started)
            if response.status_code != 200 or \
                    hashlib.sha256(response.data).hexdigest() != expected:
                raise SystemExit(f"download answered {response.status_code}, not the stored "
                                 "bytes")
    if refuse.called:
        raise SystemExit("an archived report was rendered again")
    return times


def profile_html(bench: Bench, token: str, days: int) -> None:
    from pyinstrument import Profiler  # pip install pyinstrument (not a dependency)

    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(5):
            bench.html(token, days)
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    html = bench.html(token, days)
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(3):
            render.render_pdf(html, **bench.limits)
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def section_pages(bench: Bench, days: int) -> None:
    """Which section makes the year's report long: pages of each section rendered alone."""
    print(f"\npages per section, each rendered alone ({days} days):")
    for token in bench.tokens:
        case, audience = bench._fresh(token)
        document = build(case, audience, bench.until - timedelta(days=days), bench.until,
                         excerpts=bench.excerpts, narrative=NARRATIVE, next_steps=NEXT_STEPS)
        parts, counts = document.parts, []
        for section, part in parts:
            document.parts = [(section, part)]
            html = pdf_html(document, render.ASSET_ORIGIN)
            counts.append(f"{section.key} {render.render_in_process(html).pages}")
        print(f"  {token:12} " + ", ".join(counts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--pg", action="store_true", help=f"use (drop and recreate) {PG_REPORT}")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sections", action="store_true",
                        help="pages of each section of the year's versions, rendered alone")
    parser.add_argument("--profile", action="store_true",
                        help="pyinstrument of the year's joint HTML build and child render")
    args = parser.parse_args()
    url = PG_REPORT if args.pg else args.database or \
        f"sqlite:///{tempfile.mkdtemp(prefix='counsel-bench-')}/report.sqlite"
    print(f"database: {make_url(url).render_as_string(hide_password=True)}", flush=True)
    if url.startswith("postgresql"):
        _create_pg_database(url, drop=True)
    case_id = seed_year(url)
    # The bound is the app's business, not the benchmark's: on a busy machine the year's
    # counselor's file can take longer than the default 60 s of wall time.
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "s" * 40,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://",
                      "REPORT_TIMEOUT_SECONDS": 900})
    with app.app_context():
        bench = Bench(app, case_id)
        started = time.perf_counter()
        render.warm_up()
        warm = bench.html("joint", 30)  # first use of templates and queries, not measured
        render.render_in_process(warm)
        render.render_pdf(warm, **bench.limits)
        print(f"forkserver and caches warmed in {time.perf_counter() - started:.1f} s; "
              f"{args.rounds} rounds\n", flush=True)
        results = {}
        for round_number in range(args.rounds):
            for label, days in RANGES:
                for token in bench.tokens:
                    results.setdefault((label, token), []).append(bench.round(token, days))
            print(f"round {round_number + 1}/{args.rounds} done", flush=True)
        _table(results)
        year_joint = results[("year", "joint")]
        email = db.session.get(User, bench.counselor_id).email
        times = download(app, year_joint[-1]["report_id"], email, max(args.rounds, 5))
        whole = statistics.median(r["whole"] for r in year_joint)
        got = statistics.median(times)
        print(f"\nre-download of the year's joint report (GET /reports/<id>/pdf, rendering "
              f"patched to raise): {got * 1000:.1f} ms median of {len(times)}, "
              f"{got / whole:.1%} of the whole render's {whole * 1000:.0f} ms; no render.")
        if args.sections:
            section_pages(bench, 365)
        if args.profile:
            profile_html(bench, "joint", 365)
        db.engine.dispose()


def _table(results: dict) -> None:
    columns = ("html", "weasy", "child", "whole")
    print(f"\n{'':27}{'wall time, ms (median)':^44}{'':7}{'CPU time, ms (median)':^44}")
    print(f"{'range':8} {'version':12} {'pages':>5} {'KB':>5} "
          + " ".join(f"{c:>8}" for c in columns) + f" {'ratio':>6} "
          + " ".join(f"{c:>8}" for c in columns) + f" {'ratio':>6}")
    totals = dict.fromkeys(("weasy", "whole", "weasy_cpu", "whole_cpu"), 0.0)
    for (label, token), runs in results.items():
        med = {k: statistics.median(r[k] for r in runs)
               for k in (*columns, *(c + "_cpu" for c in columns))}
        for key in totals:
            totals[key] += med[key]
        pages = {r["pages"] for r in runs} | {r["report_pages"] for r in runs}
        print(f"{label:8} {token:12} {'/'.join(map(str, sorted(pages))):>5} "
              f"{runs[-1]['bytes'] / 1024:5.0f} "
              + " ".join(f"{med[c] * 1000:8.1f}" for c in columns)
              + f" {med['whole'] / med['weasy']:6.3f} "
              + " ".join(f"{med[c + '_cpu'] * 1000:8.1f}" for c in columns)
              + f" {med['whole_cpu'] / med['weasy_cpu']:6.3f}")
    print(f"all versions together: whole / weasy = {totals['whole'] / totals['weasy']:.3f} "
          f"(wall), {totals['whole_cpu'] / totals['weasy_cpu']:.3f} (CPU)")
    print("html: document.build + pdf_html; weasy: render_in_process on that HTML, here, warm;"
          "\nchild: render_pdf on it (bounded child); whole: request_report + produce + commit;"
          "\nratio: whole / weasy (target <= 1.15). CPU time counts this process and the "
          "render\nchildren (not the PostgreSQL server's): what the work costs on a busy "
          "machine.")


if __name__ == "__main__":
    main()
