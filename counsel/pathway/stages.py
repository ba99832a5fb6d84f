"""Reading the pathway: the stages in order, the work in each, the locks, and where a
client is. Nothing here changes anything (operations.py does)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import case, exists, func, select

from ..extensions import db
from ..models import Assignment, Client, User
from ..models.library import STAGES
from ..models.progress import StageSetting

ORDER = list(STAGES)
# Work that no longer counts towards a stage.
GONE = "withdrawn"
DONE = "completed"


def current_stage(work: Iterable[tuple[str, str]]) -> str | None:
    """Where a client is on the pathway, from (stage, status) pairs of their work.

    The current stage is the first stage, in the guide's order, that holds open work
    (anything neither completed nor withdrawn: assigned, in progress, submitted, revision
    requested); when no work is open, the furthest stage with completed work; with neither,
    None (no work yet). Withdrawn work never counts. ``ranks_by_client`` is the same rule
    in SQL."""
    open_ranks, done_ranks = [], []
    for stage, status in work:
        if status == DONE:
            done_ranks.append(ORDER.index(stage))
        elif status != GONE:
            open_ranks.append(ORDER.index(stage))
    if open_ranks:
        return ORDER[min(open_ranks)]
    return ORDER[max(done_ranks)] if done_ranks else None


def previous(stage: str) -> str | None:
    at = ORDER.index(stage)
    return ORDER[at - 1] if at else None


def _rank():
    return case({stage: at for at, stage in enumerate(ORDER)}, value=Assignment.stage)


def ranks_by_client(within):
    """A subquery (client_id, rank): the current stage, as its index in ORDER, of each
    client in ``within`` (a select of client ids) who has work that counts, by
    ``current_stage``'s rule."""
    open_rank = func.min(case((Assignment.status.not_in((DONE, GONE)), _rank())))
    done_rank = func.max(case((Assignment.status == DONE, _rank())))
    return (select(Assignment.client_id, func.coalesce(open_rank, done_rank).label("rank"))
            .where(Assignment.client_id.in_(within))
            .group_by(Assignment.client_id).subquery())


def clients_at(stage: str | None, caseload):
    """Ids of the clients of ``caseload`` (a select of Client) whose current stage is
    ``stage`` (None: no work that counts yet), as a statement for ``Client.id.in_``."""
    within = caseload.with_only_columns(Client.id)
    ranks = ranks_by_client(within)
    if stage is None:
        return within.where(Client.id.not_in(
            select(ranks.c.client_id).where(ranks.c.rank.is_not(None))))
    return select(ranks.c.client_id).where(ranks.c.rank == ORDER.index(stage))


def counts_by_stage(caseload) -> list[tuple[str | None, str, int]]:
    """(stage, its title, how many) for the active clients of ``caseload`` (a select of
    Client) at each stage, in the guide's order, then those with no work yet (stage None):
    one statement. Stages with nobody at them are left out."""
    clients = caseload.subquery()
    ranks = ranks_by_client(select(clients.c.id))
    rows = db.session.execute(
        select(ranks.c.rank, func.count(clients.c.id)).select_from(clients)
        .outerjoin(ranks, ranks.c.client_id == clients.c.id)
        .where(clients.c.user_id.in_(_active_users())).group_by(ranks.c.rank)).all()
    counts = {rank: n for rank, n in rows}
    shown = [(ORDER[rank], STAGES[ORDER[rank]], n) for rank, n in sorted(
        (r, n) for r, n in counts.items() if r is not None)]
    return shown + ([(None, "with no work yet", counts[None])] if counts.get(None) else [])


def _active_users():
    return select(User.id).where(User.active.is_(True))


def locks_of(client: Client) -> dict[str, StageSetting]:
    """The client's locked stages: stage -> its setting (one statement)."""
    rows = db.session.scalars(select(StageSetting).where(
        StageSetting.client_id == client.id, StageSetting.locked.is_(True)))
    return {row.stage: row for row in rows}


def locked_stage():
    """For a select of Assignment: true when its stage is locked for its client."""
    return exists().where(StageSetting.client_id == Assignment.client_id,
                          StageSetting.stage == Assignment.stage,
                          StageSetting.locked.is_(True))


def in_locked_stage():
    """``locked_stage`` as a column."""
    return locked_stage().label("in_locked_stage")


def lock_on(assignment: Assignment) -> StageSetting | None:
    """The lock on the assignment's stage for its client, if the stage is locked."""
    return db.session.scalars(select(StageSetting).where(
        StageSetting.client_id == assignment.client_id,
        StageSetting.stage == assignment.stage, StageSetting.locked.is_(True))).first()


def opens_when(setting: StageSetting, *, for_client: bool = True) -> str:
    """When a locked stage opens, in plain words."""
    before = previous(setting.stage)
    if setting.unlock_when_previous_done and before:
        whose = "your" if for_client else "the client's"
        return f"Opens when {whose} {STAGES[before]} work is completed."
    return ("Opens when your counselor unlocks it." if for_client
            else "Opens when you unlock it.")


@dataclass
class Stage:
    key: str
    title: str
    work: list[Assignment] = field(default_factory=list)
    lock: StageSetting | None = None
    current: bool = False

    @property
    def counted(self) -> list[Assignment]:
        return [a for a in self.work if a.status != GONE]

    @property
    def done(self) -> bool:
        return bool(self.counted) and all(a.status == DONE for a in self.counted)


def pathway(client: Client) -> tuple[list[Stage], str | None]:
    """Every guide stage in order with the client's work in it (by due date, then when
    assigned) and its lock, and the current stage: two statements."""
    work = db.session.scalars(select(Assignment).where(Assignment.client_id == client.id)
                              .order_by(Assignment.due_date.is_(None), Assignment.due_date,
                                        Assignment.id)).all()
    locks = locks_of(client)
    stages = {key: Stage(key, title, lock=locks.get(key)) for key, title in STAGES.items()}
    for assignment in work:
        stages[assignment.stage].work.append(assignment)
    now = current_stage((a.stage, a.status) for a in work)
    if now:
        stages[now].current = True
    return list(stages.values()), now
