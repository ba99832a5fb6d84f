"""One-click unsubscribe links: a signed (user, kind) pair, so the link works without
signing in and cannot be forged for someone else. It never expires: an old email's link
must still work."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from ..links import absolute_url
from ..models import User
from . import kinds

SALT = "counsel.unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(user: User, kind: kinds.Kind) -> str:
    return _serializer().dumps([user.id, kind.name])


def unsubscribe_url(user: User, kind: kinds.Kind) -> str:
    return absolute_url("notifications.unsubscribe", token=unsubscribe_token(user, kind))


def read(token: str) -> tuple[int, kinds.Kind] | None:
    """The user id and kind a token names, or None for anything forged or malformed."""
    if not token or len(token) > 200:
        return None
    try:
        user_id, name = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    kind = kinds.BY_NAME.get(name) if isinstance(name, str) else None
    if not isinstance(user_id, int) or kind is None or not kind.optional:
        return None
    return user_id, kind
