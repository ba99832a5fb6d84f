"""The read side of the audit trail: a client's access history in plain words.

Every row is kept (SECURITY.md 14); this module only decides how they read. Consecutive rows by
the same person, with the same action on the same record and outcome, fold into one line
("Alex edited the draft of "Apology letter", 14 times between 21:02 and 21:40").

A page is ``PAGE_SIZE`` lines, read from at most ``WINDOW`` rows past a keyset cursor on
the row id (so pages do not shift as new rows arrive, and 210 autosaves are one line, not
four pages). Grouping happens within that window, so a page's cost never depends on the
length of the history: one query for the rows, one for their actors, and at most one per
kind of record for the titles the sentences name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, not_, or_, select
from sqlalchemy.orm import selectinload

from .clock import localtime
from .extensions import db
from .models import (
    Assignment,
    AuditEvent,
    CaseMember,
    Client,
    Commitment,
    CommitmentFollowUp,
    CounselingSession,
    Draft,
    JournalEntry,
    PlanItem,
    Report,
    Review,
    ReviewComment,
    Revision,
    SessionAttendee,
    User,
)

PAGE_SIZE = 50  # lines on a page
WINDOW = 500  # rows read for one page, at most: the bound on a page's cost

WHO = ("all", "counselor", "client")
KINDS = {"all": "Everything", "views": "Views", "changes": "Changes",
         "sign-ins": "Sign-ins and accounts", "refusals": "Refused or failed"}

# action: (kind, what the person did). "{record}" is filled with the record's name
# ("the draft of "Apology letter""). Kinds: view, change, account.
PHRASES = {
    "client.view": ("view", "opened the client page"),
    "client.access_history.view": ("view", "looked at this access history"),
    "portal.home.view": ("view", "opened the My work page"),
    "assignment.view": ("view", "opened {record}"),
    "revision.view": ("view", "read {record}"),
    "revision.compare": ("view", "compared revisions of {record}"),
    "client.create": ("change", "added the client's record"),
    "client.update": ("change", "changed the client's contact details"),
    "client.transfer": ("change", "moved the client to another counselor"),
    "assignment.create": ("change", "assigned {record}"),
    "assignment.withdraw": ("change", "withdrew {record}"),
    "draft.save": ("change", "edited {record}"),
    "revision.submit": ("change", "submitted {record}"),
    "review.comment": ("change", "commented on {record}"),
    "review.comment_remove": ("change", "removed a comment on {record}"),
    "review.send": ("change", "sent the review of {record}"),
    "review.draft_save": ("change", "worked on the review of {record}"),
    "review.draft_conflict": ("view", "compared two versions of the review of {record}"),
    "review.comment_restore": ("change", "restored a comment on {record}"),
    "assignment.reopen": ("change", "took back {record} to go on writing"),
    "caseload.view": ("view", "opened the list of clients"),
    "dashboard.view": ("view", "opened the dashboard"),
    "exercise.create": ("change", "wrote a new exercise"),
    "exercise.update": ("change", "edited an exercise"),
    "exercise.copy": ("change", "copied an exercise to adapt it"),
    "exercise.archive": ("change", "archived an exercise"),
    "auth.sign_in": ("account", "signed in"),
    "auth.sign_out": ("account", "signed out"),
    "auth.password_change": ("account", "changed the password"),
    "invitation.issue": ("account", "created an invitation or password reset link"),
    "invitation.accept": ("account", "set a password with a link"),
    "account.deactivate": ("account", "deactivated the account"),
    "account.reactivate": ("account", "reactivated the account"),
    "counselor.create": ("account", "added a counselor account"),
    "access.refused": ("account", "was refused access"),
    "access.wrong_role": ("account", "was refused a page for another role"),
    "backup.create": ("account", "made a backup of the practice's records"),
    "backup.restore": ("account", "restored the practice's records from a backup"),
    # cases, the safety flag and screenings
    "case.view": ("view", "opened the case page"),
    "case.create": ("change", "opened a case"),
    "case.update": ("change", "renamed a case"),
    "case.close": ("change", "closed a case"),
    "case.reopen": ("change", "reopened a case"),
    "case.flag": ("change", "set or changed a case's safety flag"),
    "case.unflag": ("change", "cleared a case's safety flag"),
    "screening.create": ("change", "recorded a safety screening"),
    "assignment.contact_reason": ("change", "recorded why {record} was assigned despite a "
                                            "safety flag"),
    # the session log
    "session.view": ("view", "opened {record}"),
    "session.list.view": ("view", "opened the list of sessions"),
    "session.create": ("change", "logged {record}"),
    "session.update": ("change", "edited {record}"),
    "session.autosave": ("change", "worked on the notes of {record}"),
    "session.draft_conflict": ("view", "compared two versions of the notes of {record}"),
    "session.cancel": ("change", "cancelled {record}"),
    "session.screening_confirmed": ("change", "went ahead with {record} without a safety "
                                              "screening on record"),
    "agreement.create": ("change", "recorded an agreement"),
    "agreement.remove": ("change", "removed an agreement"),
    "agreement.follow_up": ("change", "recorded how an agreement went"),
    "session.sign": ("change", "signed {record}"),
    "session.addendum": ("change", "added an addendum to {record}"),
    # sharing between partners, and the client's view of sessions
    "share.create": ("change", "shared {record} with the other partner"),
    "share.withdraw": ("change", "withdrew the share of {record}"),
    "share.view": ("view", "read {record}, shared with them by the other partner"),
    "shares.view": ("view", "opened the list of what is shared with them"),
    "sessions.view": ("view", "opened the list of their sessions"),
    "session_summary.view": ("view", "read the shared summary of {record}"),
    "agreements.view": ("view", "read their agreements"),
    "calendar.feed_create": ("change", "made a new private calendar link"),
    "calendar.feed": ("view", "had the private calendar read (times and initials only)"),
    # progress reports
    "report.prepare": ("change", "prepared a progress report"),
    "report.preview": ("view", "previewed a progress report"),
    "report.consent_request": ("change", "asked to quote {record} in a progress report"),
    "report.consent": ("change", "answered whether {record} may be quoted in a progress "
                                 "report"),
    "report.generate": ("change", "generated {record}"),
    "report.failed": ("change", "could not generate {record}"),
    "report.view": ("view", "opened {record}"),
    "report.download": ("view", "downloaded {record}"),
    "report.share": ("change", "marked {record} as shared at a session"),
    "reports.view": ("view", "opened the list of their progress reports"),
    # email: choices, unsubscribe links, the client's email safety, password resets
    "mail.preferences": ("account", "changed which emails they get"),
    "mail.unsubscribe": ("account", "stopped one kind of email with its unsubscribe link"),
    "client.mail_safety": ("change", "changed the client's email safety setting"),
    "auth.reset_issue": ("account", "asked for a password reset link by email"),
    "auth.reset_request": ("account", "asked for a password reset link for an address with "
                                      "no active account"),
    "auth.password_reset": ("account", "set a new password with a reset link"),
    "consents.view": ("view", "read a request to quote their work in a progress report"),
    # the stage pathway
    "pathway.view": ("view", "opened the stage pathway"),
    "stage.lock": ("change", "locked a stage of the pathway, to be opened by hand"),
    "stage.lock_auto": ("change", "locked a stage of the pathway until the stage before it "
                                  "is completed"),
    "stage.unlock": ("change", "opened a stage of the pathway"),
    "stage.auto_unlock": ("change", "opened a stage of the pathway by finishing the work of "
                                    "the stage before it"),
    # check-ins
    "checkins.view": ("view", "looked at the check-ins and their chart"),
    "checkin.schedule": ("change", "scheduled or changed the check-ins"),
    "checkin.create": ("change", "gave a check-in"),
    "client.time_zone": ("change", "changed the client's time zone"),
    # commitments (the commitment exercise's records)
    "commitment.create": ("change", "made {record}"),
    "commitment.edit": ("change", "changed {record}"),
    "commitment.follow_up": ("change", "followed up on {record}"),
    # the no-contact tracker
    "tracker.checkin": ("change", "checked in on the no-contact period of {record}"),
    "tracker.reflection": ("change", "wrote a reflection on a broken day of {record}"),
    "tracker.settings": ("change", "changed the no-contact period of {record}"),
    # quality-time plans and memory journals ({record}: "an item of "Plan"", "a memory in
    # "Journal"")
    "plan_item.create": ("change", "added {record}"),
    "plan_item.update": ("change", "changed {record}"),
    "plan_item.done": ("change", "marked {record} done"),
    "plan_item.reflect": ("change", "wrote how {record} went"),
    "plan_item.skip": ("change", "marked {record} skipped"),
    "journal_entry.create": ("change", "added {record}"),
    "journal_entry.update": ("change", "changed {record}"),
    "journal_entry.view": ("view", "read {record}"),
}
# The same action, when it did not succeed.
FAILED = {
    "auth.sign_in": "tried to sign in with the wrong password",
    "auth.password_change": "entered a wrong current password",
}
ACCOUNT_PREFIXES = ("auth.", "invitation.", "account.", "access.", "mail.")


def describe(action: str, outcome: str, record: str | None) -> str:
    """What happened, in words; unknown actions still read ("review draft save")."""
    if outcome != "success" and action in FAILED:
        return FAILED[action]
    phrase = PHRASES.get(action, (None, None))[1]
    if phrase is None:
        words = action.replace(".", " ").replace("_", " ")
        phrase = f"{words} ({record})" if record else words
    else:
        phrase = phrase.format(record=record or "a record")
    if outcome != "success" and action not in FAILED:
        phrase += f" ({outcome})"
    return phrase


def _kind_filter(kind: str):
    views = [a for a, (k, _) in PHRASES.items() if k == "view"]
    is_view = or_(AuditEvent.action.in_(views), AuditEvent.action.like("%.view"))
    is_account = or_(*(AuditEvent.action.startswith(p) for p in ACCOUNT_PREFIXES))
    return {
        "views": and_(is_view, AuditEvent.outcome == "success"),
        "sign-ins": is_account,
        "refusals": AuditEvent.outcome != "success",
        "changes": and_(not_(is_view), not_(is_account), AuditEvent.outcome == "success"),
    }.get(kind)


def _who_filter(who: str, client: Client):
    if who == "client":
        return AuditEvent.actor_id == client.user_id
    if who == "counselor":
        return AuditEvent.actor_id.in_(select(User.id).where(User.role != "client"))
    return None


@dataclass(frozen=True)
class Actor:
    id: int
    name: str
    role: str


@dataclass(frozen=True)
class Entry:
    """A row as read, detached from the session: the view commits its own audit row after
    reading, which would otherwise expire every row and reload each one."""

    id: int
    at: datetime
    actor: Actor | None
    actor_id: int | None
    action: str
    target_type: str | None
    target_id: str | None
    outcome: str

    @classmethod
    def of(cls, e: AuditEvent) -> Entry:
        actor = Actor(e.actor.id, e.actor.name, e.actor.role) if e.actor else None
        return cls(e.id, e.at, actor, e.actor_id, e.action, e.target_type, e.target_id,
                   e.outcome)


@dataclass
class Group:
    """Consecutive rows that say the same thing; ``events`` newest first."""

    events: list[Entry]
    record: str | None = None

    @property
    def first(self) -> Entry:
        return self.events[-1]

    @property
    def last(self) -> Entry:
        return self.events[0]

    @property
    def count(self) -> int:
        return len(self.events)

    @property
    def started(self) -> datetime:
        return self.first.at

    @property
    def ended(self) -> datetime:
        return self.last.at

    @property
    def what(self) -> str:
        return describe(self.last.action, self.last.outcome, self.record)


@dataclass
class HistoryPage:
    groups: list[Group] = field(default_factory=list)
    newer: int | None = None  # pass as ?after= for the newer page
    older: int | None = None  # pass as ?before= for the older page
    who: str = "all"
    kind: str = "all"


def _id_arg(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


def page_for(client: Client, args) -> HistoryPage:
    """One page of ``client``'s history from request arguments: ``who``, ``kind``, and
    ``before`` (older than that row id) or ``after`` (newer than it)."""
    who = args.get("who") if args.get("who") in WHO else "all"
    kind = args.get("kind") if args.get("kind") in KINDS else "all"
    return history(client, who=who, kind=kind, before=_id_arg(args.get("before")),
                   after=_id_arg(args.get("after")))


def history(client: Client, *, who: str = "all", kind: str = "all", before: int | None = None,
            after: int | None = None, size: int = PAGE_SIZE,
            window: int = WINDOW) -> HistoryPage:
    """Up to ``size`` lines about ``client``, newest first, from at most ``window`` rows."""
    query = select(AuditEvent).where(AuditEvent.client_id == client.id)
    for condition in (_who_filter(who, client), _kind_filter(kind)):
        if condition is not None:
            query = query.where(condition)
    query = query.options(selectinload(AuditEvent.actor))
    forward = after is not None and before is None
    if forward:
        query = query.where(AuditEvent.id > after).order_by(AuditEvent.id.asc())
    else:
        if before is not None:
            query = query.where(AuditEvent.id < before)
        query = query.order_by(AuditEvent.id.desc())
    fetched = [Entry.of(e) for e in db.session.scalars(query.limit(window + 1))]
    # Walk away from the cursor, folding repeats, until ``size`` lines are full.
    runs: list[list[Entry]] = []
    for event in fetched[:window]:
        if runs and _same(runs[-1][-1], event):
            runs[-1].append(event)
        elif len(runs) == size:
            break
        else:
            runs.append([event])
    used = sum(len(run) for run in runs)
    more_beyond = used < len(fetched)
    if forward:
        runs = [list(reversed(run)) for run in reversed(runs)]
    rows = [event for run in runs for event in run]
    if not rows:
        # Past either end: only the way back.
        return HistoryPage(who=who, kind=kind, newer=before, older=after)
    titles = record_names(client, rows)
    groups = [Group(run, titles.get((run[0].target_type, run[0].target_id))) for run in runs]
    more_newer = more_beyond if forward else before is not None
    more_older = True if forward else more_beyond
    return HistoryPage(groups=groups, who=who, kind=kind,
                       newer=rows[0].id if more_newer else None,
                       older=rows[-1].id if more_older else None)


def _same(a: Entry, b: Entry) -> bool:
    return (a.actor_id, a.action, a.target_type, a.target_id, a.outcome) == \
        (b.actor_id, b.action, b.target_type, b.target_id, b.outcome)


def record_names(client: Client, rows: list[Entry]) -> dict[tuple[str, str], str]:
    """Plain names for the records the rows point at, one query per kind of record, and
    only among this client's own assignments."""
    wanted: dict[str, set[int]] = {}
    for e in rows:
        if e.target_id and e.target_id.isdigit():
            wanted.setdefault(e.target_type, set()).add(int(e.target_id))
    names: dict[tuple[str, str], str] = {}
    own = Assignment.client_id == client.id
    if ids := wanted.get("assignments"):
        for id_, title in db.session.execute(
                select(Assignment.id, Assignment.title).where(Assignment.id.in_(ids), own)):
            names["assignments", str(id_)] = f"“{title}”"
    if ids := wanted.get("drafts"):
        for id_, title in db.session.execute(
                select(Draft.id, Assignment.title).join(Draft.assignment)
                .where(Draft.id.in_(ids), own)):
            names["drafts", str(id_)] = f"the draft of “{title}”"
    parts = (("plan_items", PlanItem, "an item of"), ("journal_entries", JournalEntry,
                                                       "a memory in"))
    for target_type, model, words in parts:
        if ids := wanted.get(target_type):
            for id_, title in db.session.execute(
                    select(model.id, Assignment.title).join(model.assignment)
                    .where(model.id.in_(ids), own)):
                names[target_type, str(id_)] = f"{words} “{title}”"
    numbered = (("revisions", Revision.id, select(Revision.id, Revision.number, Assignment.title)
                 .join(Revision.assignment)),
                ("reviews", Review.id, select(Review.id, Revision.number, Assignment.title)
                 .join(Review.revision).join(Revision.assignment)),
                ("review_comments", ReviewComment.id,
                 select(ReviewComment.id, Revision.number, Assignment.title)
                 .join(ReviewComment.review).join(Review.revision).join(Revision.assignment)))
    for target_type, column, statement in numbered:
        if ids := wanted.get(target_type):
            for id_, number, title in db.session.execute(statement.where(column.in_(ids), own)):
                names[target_type, str(id_)] = f"revision {number} of “{title}”"
    commitments = (("commitments", Commitment.id, select(Commitment.id, Assignment.title)
                    .join(Commitment.assignment)),
                   ("commitment_follow_ups", CommitmentFollowUp.id,
                    select(CommitmentFollowUp.id, Assignment.title)
                    .join(CommitmentFollowUp.commitment).join(Commitment.assignment)))
    for target_type, column, statement in commitments:
        if ids := wanted.get(target_type):
            for id_, title in db.session.execute(statement.where(column.in_(ids), own)):
                names[target_type, str(id_)] = f"a commitment in “{title}”"
    if ids := wanted.get("reports"):  # reports are for a case the client is a partner in
        for id_, requested_at in db.session.execute(
                select(Report.id, Report.requested_at)
                .join(CaseMember, CaseMember.case_id == Report.case_id)
                .where(Report.id.in_(ids), CaseMember.client_id == client.id)):
            names["reports", str(id_)] = (
                f"a progress report of {localtime(requested_at, '%d %b %Y')}")
    if ids := wanted.get("counseling_sessions"):  # only sessions this client attended
        for id_, starts_at in db.session.execute(
                select(CounselingSession.id, CounselingSession.starts_at)
                .join(SessionAttendee, SessionAttendee.session_id == CounselingSession.id)
                .where(CounselingSession.id.in_(ids), SessionAttendee.client_id == client.id)):
            names["counseling_sessions", str(id_)] = (
                f"the session of {localtime(starts_at, '%d %b %Y')}")
    return names
