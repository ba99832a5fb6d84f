"""One helper to record who did what to which record (SECURITY.md 14).

``record`` adds the row to the request's transaction, so it commits (or not) with the
change it describes. ``record_now`` is for failures and refusals, whose request changes
nothing: it ends the request's transaction and commits the row in a short one of its own,
on the same connection, so a refusal never needs a second connection from the pool.
"""

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import insert

from .extensions import db
from .models import AuditEvent, Client, User
from .models.types import utcnow


def _row(action, target, client, outcome, actor, detail, target_type, target_id):
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if client is None and isinstance(target, Client):
        client = target
    if target is not None:
        target_type = target_type or target.__tablename__
        target_id = target_id if target_id is not None else target.id
    return {
        "at": utcnow(),
        "actor_id": actor.id if isinstance(actor, User) else actor,
        "action": action,
        "target_type": target_type,
        "target_id": None if target_id is None else str(target_id)[:40],
        "client_id": client.id if isinstance(client, Client) else client,
        "outcome": outcome,
        "ip": request.remote_addr if has_request_context() else None,
        "detail": detail[:200] if detail else None,
    }


def record(action, target=None, *, client=None, outcome="success", actor=None, detail=None,
           target_type=None, target_id=None) -> None:
    """Add an audit row to the current transaction."""
    db.session.add(AuditEvent(**_row(action, target, client, outcome, actor, detail,
                                     target_type, target_id)))


def record_now(action, target=None, *, client=None, outcome="denied", actor=None,
               detail=None, target_type=None, target_id=None) -> None:
    """Write an audit row at once. Anything the request had not committed is rolled back
    first (a refusal changes nothing), so the row is all this transaction holds. Asking
    the engine for a connection of its own instead stalled every worker once the pool
    was spent: each waited for a second connection while holding its first."""
    row = _row(action, target, client, outcome, actor, detail, target_type, target_id)
    db.session.rollback()
    db.session.execute(insert(AuditEvent), [row])
    db.session.commit()


def record_each(action, target, clients, *, actor=None, outcome="success",
                detail=None) -> None:
    """The same row once for each of ``clients`` (the partners of a case, so each one's
    access history shows it), in the request's transaction and in one statement."""
    rows = [_row(action, target, client, outcome, actor, detail, None, None)
            for client in clients]
    if rows:
        db.session.execute(insert(AuditEvent), rows)
