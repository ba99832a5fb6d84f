"""Locking and unlocking a client's guide stages. Plain functions: they flush and record
audit rows; views commit.

A locked stage's work stays visible to the client (title, status, when it opens) but
cannot be started or changed: ``assignments.operations`` asks ``stages.lock_on`` before
every draft save, submission and reopen. Work the client had already written in a stage
that is locked later is kept as it is, read-only, until the stage opens again; work
already submitted stays with the counselor, who can still review it.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..extensions import db
from ..models import Assignment, Client, User
from ..models.library import STAGES
from ..models.progress import StageSetting
from . import stages


class LockRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _setting(client: Client, stage: str) -> StageSetting | None:
    return db.session.scalars(select(StageSetting).where(
        StageSetting.client_id == client.id, StageSetting.stage == stage)).first()


def previous_done(client: Client, stage: str) -> bool:
    """Whether the stage before ``stage`` has work and all of it (withdrawn work aside) is
    completed."""
    before = stages.previous(stage)
    if before is None:
        return False
    statuses = db.session.scalars(select(Assignment._status).where(
        Assignment.client_id == client.id, Assignment.stage == before,
        Assignment._status != stages.GONE)).all()
    return bool(statuses) and all(s == stages.DONE for s in statuses)


def set_lock(counselor: User, client: Client, stage: str, *, locked: bool,
             auto: bool) -> StageSetting | None:
    """Lock ``stage`` for ``client`` (opening by hand, or by itself once the previous
    stage's work is completed when ``auto``), or open it. Choosing ``auto`` when that work
    is already completed opens the stage at once. Returns the setting, None if nothing
    changed."""
    if stage not in STAGES:
        raise LockRefused("There is no such stage.")
    if locked and stages.previous(stage) is None:
        raise LockRefused(f"{STAGES[stage]} is the first stage: it cannot be locked.")
    setting = _setting(client, stage)
    was = (setting.locked, setting.unlock_when_previous_done) if setting else (False, False)
    auto = locked and auto
    if locked and auto and previous_done(client, stage):
        locked, auto = False, False
    if (locked, auto) == was:
        return None
    if setting is None:
        setting = StageSetting(client_id=client.id, stage=stage)
        db.session.add(setting)
    setting.locked, setting.unlock_when_previous_done = locked, auto
    setting.updated_by_id = counselor.id
    try:
        db.session.flush()
    except IntegrityError as error:  # another tab saved this stage at the same moment
        raise LockRefused(f"{STAGES[stage]} was changed in another tab or window at the same "
                          "moment. Check it below and save again if needed.") from error
    action = "stage.unlock" if not locked else \
        "stage.lock_auto" if auto else "stage.lock"
    audit.record(action, setting, client=client, actor=counselor, detail=stage)
    return setting


def unlock_after(actor: User, assignment: Assignment) -> StageSetting | None:
    """Called when ``assignment`` is accepted (completed) or withdrawn: the next stage opens
    if the counselor chose that and every piece of this stage's work that counts is now
    completed."""
    at = stages.ORDER.index(assignment.stage)
    if at + 1 == len(stages.ORDER):
        return None
    following = stages.ORDER[at + 1]
    setting = _setting(assignment.client, following)
    if setting is None or not setting.locked or not setting.unlock_when_previous_done:
        return None
    if not previous_done(assignment.client, following):
        return None
    setting.locked = setting.unlock_when_previous_done = False
    setting.updated_by_id = actor.id
    db.session.flush()
    audit.record("stage.auto_unlock", setting, client=assignment.client, actor=actor,
                 detail=following)
    return setting
