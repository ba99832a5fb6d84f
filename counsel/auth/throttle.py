"""Throttling password guesses (SECURITY.md 3): sign-in and the current-password check.

Each attempt is counted before the password is checked, with one atomic increment per key
(Flask-Limiter's storage: memory in one process, Redis across workers), and refused with
429 once a key is over ``SIGN_IN_LIMIT``. A correct password hands its count back, so
people who sign in often never use up the limit. Counting only after a failed check (as
``deduct_when`` does) let parallel guesses all pass the check before any was counted:
12-15 of 40 got through a limit of 10.
"""

from types import SimpleNamespace

from flask import current_app, request
from limits import parse
from werkzeug.exceptions import TooManyRequests

from ..extensions import limiter


class Attempt:
    """One counted attempt; ``succeeded`` gives its count back."""

    def __init__(self, item, keys: list[list[str]]):
        self.item = item
        self.keys = keys

    def succeeded(self) -> None:
        for identifiers in self.keys:
            limiter.limiter.hit(self.item, *identifiers, cost=-1)


def attempt(scope: str, *keys: str) -> Attempt:
    """Count an attempt against ``keys`` (the account, the address...) within ``scope``;
    raise 429 when any of them is over the limit."""
    item = parse(current_app.config["SIGN_IN_LIMIT"])
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "counsel"
    counted = [[prefix, scope, key or "-"] for key in keys]
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return Attempt(item, [])
    allowed = [limiter.limiter.hit(item, *identifiers) for identifiers in counted]
    if not all(allowed):
        refused = TooManyRequests()
        refused.limit = SimpleNamespace(limit=item)  # the 429 page reads the window from it
        raise refused
    return Attempt(item, counted)


def address() -> str:
    return request.remote_addr or "unknown"
