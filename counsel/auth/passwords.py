"""Password hashing (argon2id) and the password rules of SECURITY.md 1:
12 to 128 characters, no composition rules, common passwords refused."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 12
MAX_LENGTH = 128


def _hasher() -> PasswordHasher:
    hasher = current_app.extensions.get("counsel_hasher")
    if hasher is None:
        hasher = PasswordHasher(
            time_cost=current_app.config["ARGON2_TIME_COST"],
            memory_cost=current_app.config["ARGON2_MEMORY_COST"],
        )
        current_app.extensions["counsel_hasher"] = hasher
    return hasher


def hash_password(password: str) -> str:
    return _hasher().hash(password)


@cache
def _dummy_hash(params: tuple) -> str:
    return PasswordHasher(time_cost=params[0], memory_cost=params[1]).hash("not a password")


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches. With no hash (unknown account, or an invited client
    who has not set one) a dummy hash is checked, so both take the same time."""
    hasher = _hasher()
    known = bool(password_hash)
    if not known:
        password_hash = _dummy_hash((hasher.time_cost, hasher.memory_cost))
    try:
        return hasher.verify(password_hash, password) and known
    except (VerificationError, InvalidHashError):
        return False


@cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from public breach corpora.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why this new password cannot be used, in words for the person; None if it can."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A few words together work well."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    personal = {email.lower(), email.split("@")[0].lower(), name.lower()} - {""}
    if lowered in _common_passwords() or lowered.strip() in personal:
        return "That password is too common or too easy to guess. Choose another."
    if len(set(password)) < 4:
        return "That password repeats too few characters to be safe. Choose another."
    return None
