"""The sections of a progress report, in PRODUCT.md's order, as a list a feature extends in
one place: add a ``Section`` to ``SECTIONS`` and a template ``reports/sections/<key>.html``.

A section's ``build`` takes the ``Scope`` (the facts in range and the audience) and returns
a ``Part``: what its template shows and the records it holds (for the archive's list of
contents), or None to leave the section out of this version. Redaction happens here and in
``facts`` (which never loads private notes or screenings), not in templates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from .. import charts, checkins, trackers
from ..assignments import status
from ..models import MEDIATION_OUTLINE, STAGES, Case, Client
from ..models.work_records import COMMITMENT_OUTCOMES, PLAN_STATUSES
from ..pathway.stages import ORDER, current_stage
from .audiences import Audience
from .facts import OPEN_OR_WAITING, Facts, agreement_visible, session_visible, visible

# A year's report stays a summary: long texts are shortened, with a note saying so, and
# only the latest sessions are shown in full; earlier ones get a line and their agreements.
SESSION_TEXT_LIMIT = 1200
SESSIONS_IN_FULL = 6
EARLIER_SESSION_LIMIT = 200
EXCERPT_ANSWER_LIMIT = 1500
# The structured exercises and check-ins: long histories are cut to their latest rows,
# with a note saying how many earlier ones were left out.
CHECKIN_ROWS = 26
TRACKERS_EACH = 3
PLAN_ITEMS = 25
COMMITMENTS_EACH = 20
FOLLOW_UPS_SHOWN = 12


@dataclass
class Scope:
    facts: Facts
    audience: Audience
    counselor_name: str
    practice_name: str
    generated_at: datetime
    today: date
    narrative: str = ""
    next_steps: str = ""

    @property
    def case(self) -> Case:
        return self.facts.case


@dataclass
class Part:
    context: dict = field(default_factory=dict)
    records: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    build: Callable[[Scope], Part | None]

    @property
    def template(self) -> str:
        return f"reports/sections/{self.key}.html"


def shorten(text: str | None, limit: int) -> tuple[str, bool]:
    """``text`` cut at a word boundary near ``limit``, and whether it was cut."""
    text = (text or "").strip()
    if len(text) <= limit:
        return text, False
    cut = text[:limit].rsplit(None, 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,.;:") + "…", True


def _header(scope: Scope) -> Part:
    return Part({"flag": scope.case.safety_reason if scope.audience.shows_safety_flag
                 and scope.case.flagged else None})


def _own_work(scope: Scope, client: Client) -> list:
    return [a for a in scope.facts.assignments if a.client_id == client.id]


def _stage_states(work: list) -> dict[str, str]:
    """Each guide stage: "done" (work completed in it), "current" (work open) or "ahead"."""
    states = dict.fromkeys(STAGES, "ahead")
    for assignment in work:
        if assignment.status == "completed":
            states[assignment.stage] = "done"
        elif states[assignment.stage] != "done":
            states[assignment.stage] = "current"
    return states


RANK = {"ahead": 0, "current": 1, "done": 2}


def _tracks(scope: Scope) -> list[tuple[str, dict[str, str]]]:
    """(whose, stage states) for the pathway: each author's own, or, for the joint
    version, one track where a stage counts only as far as both partners have gone."""
    if scope.audience.kind == "joint":
        per_partner = [_stage_states(_own_work(scope, c)) for c in scope.case.partners]
        together = {stage: min((s[stage] for s in per_partner), key=RANK.get)
                    for stage in STAGES}
        return [("Together", together)]
    return [(c.name, _stage_states(_own_work(scope, c))) for c in scope.audience.authors]


def stage_reached(work) -> str | None:
    """The stage a person's work has reached: the pages' rule (pathway.stages.current_stage)
    over their work in this case, as a title."""
    stage = current_stage((a.stage, a.status) for a in work)
    return STAGES[stage] if stage else None


def _case_work(scope: Scope, client: Client) -> list:
    """A partner's work in this case given by the end of the range, completed before it or
    not (withdrawn work never counts)."""
    return [a for a in scope.facts.work if a.client_id == client.id]


def _together(scope: Scope) -> str | None:
    """For the joint version: the earlier of the partners' stages (none if either has no
    work yet): what both have reached, never further than either."""
    reached = [current_stage((a.stage, a.status) for a in _case_work(scope, c))
               for c in scope.case.partners]
    if not reached or None in reached:
        return None
    return STAGES[min(reached, key=ORDER.index)]


def _streak(scope: Scope, client: Client) -> int | None:
    """The current no-contact streak of the person's latest tracker in the range."""
    theirs = [t for t in scope.facts.trackers if t.assignment.client_id == client.id]
    if not theirs:
        return None
    latest = theirs[-1]
    return trackers.summarize(latest.starts_on, latest.length_days, latest.days,
                              _client_day(scope, client)).current_streak


def _client_day(scope: Scope, client: Client) -> date:
    """The client's own day when the report was generated."""
    return checkins.client_today(client, scope.generated_at)


def _summary(scope: Scope) -> Part:
    people = []
    for client in scope.audience.authors:
        work = _own_work(scope, client)
        open_work = [a for a in work if a.status in status.OPEN]
        people.append({
            "name": client.name,
            "stage": stage_reached(_case_work(scope, client)),
            "streak": _streak(scope, client),
            "completed": sum(a.status == "completed" and a.updated_at >= scope.facts.start
                             for a in work),
            "outstanding": sum(a.status in OPEN_OR_WAITING for a in work),
            "overdue": sum(bool(a.due_date and a.due_date < min(scope.today,
                                                               scope.facts.until))
                           for a in open_work),
            "attended": sum(client.id in {x.client_id for x in s.attendees}
                            for s in scope.facts.sessions),
        })
    sessions = [s for s in scope.facts.sessions if session_visible(scope.audience, s)]
    together = _together(scope) if scope.audience.kind == "joint" else None
    return Part({"people": people, "sessions": len(sessions), "together": together,
                 "streaks": any(p["streak"] is not None for p in people),
                 "unsigned": scope.facts.unsigned_sessions
                 if not scope.audience.for_clients else 0})


def _pathway(scope: Scope) -> Part:
    return Part({"tracks": _tracks(scope), "stages": STAGES})


def _assignments(scope: Scope) -> Part | None:
    rows = []
    for assignment in scope.facts.assignments:
        shared_with = scope.facts.shared_assignments.get(assignment.id, set())
        if visible(scope.audience, assignment.client_id, shared_with):
            rows.append(assignment)
    names = {c.id: c.name for c in scope.case.partners}
    return Part({"rows": rows, "names": names, "labels": status.LABELS,
                 "by_person": len(scope.audience.authors) != 1},
                [("assignments", a.id) for a in rows])


def _excerpts(scope: Scope) -> Part | None:
    shown = []
    for revision in scope.facts.excerpts:
        author = revision.assignment.client_id
        if not visible(scope.audience, author, scope.facts.shares.get(revision.id, set())):
            continue
        answers = [(prompt, *shorten(answer, EXCERPT_ANSWER_LIMIT)) for prompt, answer
                   in zip(revision.assignment.prompts, revision.answers, strict=False)]
        shown.append({"revision": revision, "answers": answers})
    if not shown:
        return None
    names = {c.id: c.name for c in scope.case.partners}
    return Part({"excerpts": shown, "names": names},
                [("revisions", item["revision"].id) for item in shown])


def _sessions(scope: Scope) -> Part | None:
    sessions = [s for s in scope.facts.sessions if session_visible(scope.audience, s)]
    agreements = [a for s in sessions for a in s.agreements
                  if agreement_visible(scope.audience, a)]
    by_session: dict[int, list] = {}
    for agreement in agreements:
        by_session.setdefault(agreement.session_id, []).append(agreement)
    items = []
    for number, session in enumerate(sessions, start=SESSIONS_IN_FULL - len(sessions) + 1):
        if number > 0:
            texts = [("Shared summary", *shorten(session.shared_summary, SESSION_TEXT_LIMIT))]
            texts += [(label, *shorten(getattr(session, key), SESSION_TEXT_LIMIT))
                      for key, label in MEDIATION_OUTLINE.items() if getattr(session, key)]
        else:
            texts = [("", *shorten(session.shared_summary, EARLIER_SESSION_LIMIT))]
        items.append({"session": session, "texts": [t for t in texts if t[1]],
                      "full": number > 0, "agreements": by_session.get(session.id, [])})
    names = {c.id: c.name for c in scope.case.partners}
    records = [("counseling_sessions", s.id) for s in sessions]
    records += [("agreements", a.id) for a in agreements]
    records += [("agreement_follow_ups", f.id) for a in agreements for f in a.follow_ups]
    return Part({"items": items, "names": names,
                 "earlier": max(0, len(sessions) - SESSIONS_IN_FULL)}, records)


# -- check-ins and the structured exercises (issue 11) -------------------------------------
# A person's check-ins, no-contact days and commitments are their own: no share reaches
# them, so only their own version and the counselor's file show them. A plan reaches the
# other partner only if its author shared it (like a revision). Notes, reflections and
# follow-up notes are the client's own words: a report quotes those only as excerpts their
# author agreed to, so here they are counted, never quoted.

def _authors(scope: Scope) -> dict[int, Client]:
    return {c.id: c for c in scope.audience.authors}


def _checkins(scope: Scope) -> Part | None:
    if not scope.audience.authors:  # the joint version: nobody's own check-ins
        return None
    people = []
    for client in scope.audience.authors:
        given, total = scope.facts.checkins.get(client.id, ([], 0))
        if not given:
            continue
        scales: list[str] = []
        for checkin in given:
            scales += [name for name in checkin.ratings if name not in scales]
        rows = charts.table_rows(given, scales)[-CHECKIN_ROWS:]
        people.append({
            "name": client.name, "scales": scales, "given": given,
            "chart": charts.ratings_chart(given, scales, chart_id=f"checkins-{client.id}",
                                          title=f"Check-in ratings over time, {client.name}"),
            "rows": rows, "total": total, "charted": len(given),
            "earlier_rows": total - len(rows)})
    if not people:
        return None
    return Part({"people": people, "by_person": len(scope.audience.authors) != 1},
                [("checkins", c.id) for person in people for c in person["given"]])


def _trackers(scope: Scope) -> Part | None:
    authors = _authors(scope)
    mine = [t for t in scope.facts.trackers if t.assignment.client_id in authors]
    shown = []
    for client_id in authors:
        shown += [t for t in mine if t.assignment.client_id == client_id][-TRACKERS_EACH:]
    items = []
    for tracker in shown:
        client = authors[tracker.assignment.client_id]
        summary = trackers.summarize(tracker.starts_on, tracker.length_days, tracker.days,
                                     _client_day(scope, client))
        items.append({
            "tracker": tracker, "name": client.name, "summary": summary,
            "strip": charts.no_contact_strip(summary, chart_id=f"no-contact-{tracker.id}",
                                             title=f"{tracker.assignment.title}, day by day"),
            "description": charts.describe_strip(summary),
            "late": sum(d.late for d in tracker.days),
            "notes": sum(bool(d.note) for d in tracker.days),
            "reflections": sum(bool(d.reflection) for d in tracker.days)})
    if not items:
        return None
    return Part({"items": items, "by_person": len(authors) != 1,
                 "left_out": len(mine) - len(shown)},
                [("trackers", i["tracker"].id) for i in items]
                + [("tracker_days", d.id) for i in items for d in i["tracker"].days])


def _plans(scope: Scope) -> Part | None:
    plans = []
    for assignment in scope.facts.assignments:
        if assignment.kind != "plan" or not visible(
                scope.audience, assignment.client_id,
                scope.facts.shared_plans.get(assignment.id, set())):
            continue
        items = scope.facts.plan_items.get(assignment.id, [])
        counts = {key: sum(i.status == key for i in items) for key in PLAN_STATUSES}
        plans.append({"assignment": assignment, "items": items[-PLAN_ITEMS:],
                      "earlier": max(0, len(items) - PLAN_ITEMS), "counts": counts,
                      "reflections": sum(bool(i.reflection) for i in items),
                      "shared": assignment.client_id not in _authors(scope)})
    if not plans:
        return None
    names = {c.id: c.name for c in scope.case.partners}
    return Part({"plans": plans, "names": names, "statuses": PLAN_STATUSES,
                 "by_person": len(scope.audience.authors) != 1},
                [("plan_items", i.id) for p in plans for i in p["items"]])


def _commitments(scope: Scope) -> Part | None:
    authors = _authors(scope)
    shown = []
    for client_id in authors:
        theirs = [c for c in scope.facts.commitments
                  if c.assignment.client_id == client_id]
        shown += theirs[-COMMITMENTS_EACH:]
    items = []
    for commitment in shown:
        follow_ups = [f for f in commitment.follow_ups if f.taken_on <= scope.facts.until]
        items.append({
            "commitment": commitment, "name": authors[commitment.assignment.client_id].name,
            "counts": {key: sum(f.outcome == key for f in follow_ups)
                       for key in COMMITMENT_OUTCOMES},
            "timeline": follow_ups[-FOLLOW_UPS_SHOWN:],
            "earlier": max(0, len(follow_ups) - FOLLOW_UPS_SHOWN),
            "notes": sum(bool(f.note) for f in follow_ups)})
    if not items:
        return None
    left_out = sum(c.assignment.client_id in authors for c in scope.facts.commitments) \
        - len(shown)
    return Part({"items": items, "outcomes": COMMITMENT_OUTCOMES, "left_out": left_out,
                 "by_person": len(authors) != 1},
                [("commitments", i["commitment"].id) for i in items]
                + [("commitment_follow_ups", f.id) for i in items for f in i["timeline"]])


def _narrative(scope: Scope) -> Part | None:
    if not (scope.narrative.strip() or scope.next_steps.strip()):
        return None
    return Part({"narrative": scope.narrative.strip(), "next_steps": scope.next_steps.strip()})


SECTIONS: list[Section] = [
    Section("header", "Progress report", _header),
    Section("summary", "Summary", _summary),
    Section("pathway", "The stage pathway", _pathway),
    Section("assignments", "Assignments", _assignments),
    Section("excerpts", "From the work", _excerpts),
    Section("sessions", "Sessions and agreements", _sessions),
    Section("trackers", "No-contact periods", _trackers),
    Section("plans", "Quality-time plans", _plans),
    Section("commitments", "Commitments and their follow-ups", _commitments),
    Section("checkins", "Check-ins", _checkins),
    Section("narrative", "The counselor's narrative and next steps", _narrative),
]
