"""One helper to record who did what to which record (SECURITY.md 14).

``record`` adds the row to the request's transaction, so it commits (or not) with the
change it describes. ``record_now`` writes on its own connection at once: for failures
and refusals, whose request ends in an error and rolls its transaction back.
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
    """Write an audit row at once, independent of the request's transaction."""
    row = _row(action, target, client, outcome, actor, detail, target_type, target_id)
    with db.engine.begin() as connection:
        connection.execute(insert(AuditEvent), [row])
