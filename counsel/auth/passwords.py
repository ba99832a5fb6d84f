"""Password hashing (argon2id) and the password rules of SECURITY.md 1: 12 to 128
characters, no composition rules, passwords from breach corpora refused, and zxcvbn's
estimate of how guessable the rest are (length alone let ``123456789012`` through)."""

import gzip
from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn's 3 means "safely unguessable: moderate protection from an offline slow-hash
# attack" (about 10^8 guesses and more); 2 and below fall to an online or a cheap one.
MIN_SCORE = 3


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
def _breached_passwords() -> frozenset[str]:
    """Lowercased passwords of 12+ characters from SecLists' top-million breach list
    (see data/README.md); loaded on first use, once per process (about 5 MB)."""
    data = files(__package__).joinpath("data/breached-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("ascii").splitlines())


def _guessable(password: str, personal: list[str]) -> str | None:
    """zxcvbn's advice when its score is below MIN_SCORE, as one message."""
    result = zxcvbn(password, user_inputs=personal, max_length=MAX_LENGTH)
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    advice = " ".join([feedback["warning"], *feedback["suggestions"]]).strip()
    return ("That password would be too easy to guess. "
            + (advice or "Add another word or two. Uncommon words are better."))


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why this new password cannot be used, in words for the person; None if it can."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A few words together work well."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    personal = [email, email.split("@")[0], name, *name.split()]
    if len(set(password)) < 4:
        return "That password repeats too few characters to be safe. Choose another."
    if lowered in _breached_passwords() or lowered.strip() in {p.lower() for p in personal if p}:
        return "That password is too common or too easy to guess. Choose another."
    return _guessable(password, [p for p in personal if p])
