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

from ..assignments import status
from ..models import MEDIATION_OUTLINE, STAGES, Case, Client
from .audiences import Audience
from .facts import OPEN_OR_WAITING, Facts, agreement_visible, session_visible, visible

# A year's report stays a summary: long texts are shortened, with a note saying so, and
# only the latest sessions are shown in full; earlier ones get a line and their agreements.
SESSION_TEXT_LIMIT = 1200
SESSIONS_IN_FULL = 6
EARLIER_SESSION_LIMIT = 200
EXCERPT_ANSWER_LIMIT = 1500


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


def stage_reached(states: dict[str, str]) -> str | None:
    done = [stage for stage, state in states.items() if state == "done"]
    return STAGES[done[-1]] if done else None


def _summary(scope: Scope) -> Part:
    people = []
    for client in scope.audience.authors:
        work = _own_work(scope, client)
        open_work = [a for a in work if a.status in status.OPEN]
        people.append({
            "name": client.name,
            "stage": stage_reached(_stage_states(work)),
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
    together = stage_reached(_tracks(scope)[0][1]) if scope.audience.kind == "joint" else None
    return Part({"people": people, "sessions": len(sessions), "together": together,
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
    Section("narrative", "The counselor's narrative and next steps", _narrative),
]
