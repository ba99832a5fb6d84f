"""Caseload moves between counselors, by the practice admin.

The caseload is ``Client.counselor_id``: every counselor page and access rule goes by it,
so a moved client's assignments, revisions and reviews are the new counselor's at once.
``Assignment.counselor_id`` is left alone on purpose: it records who assigned the work
(and wrote its note), which stays true after a move.
"""

from .. import audit
from ..models import Client, User


class MoveRefused(Exception):
    """A move that would leave a client without an active counselor of their own."""


def move_clients(admin: User, source: User, target: User, clients: list[Client]) -> int:
    """Put ``clients`` of ``source`` on ``target``'s caseload; one audit row per client
    (names and ids only: no clinical content). Returns how many moved."""
    if source.active:
        raise MoveRefused("Deactivate this counselor before moving their clients.")
    if not (target.is_counselor and target.active) or target.id == source.id:
        raise MoveRefused("Choose another active counselor.")
    moved = 0
    for client in clients:
        if client.counselor_id != source.id:
            continue
        client.counselor_id = target.id
        audit.record("client.transfer", client, actor=admin,
                     detail=f"from counselor {source.id} to counselor {target.id}")
        moved += 1
    return moved
