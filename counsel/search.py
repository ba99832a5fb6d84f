"""Search boxes: a typed term matched literally, and the fields a person is found by."""

from sqlalchemy import or_

from .models import Client, User


def like_pattern(search: str) -> str:
    """``search`` as a LIKE pattern that matches its characters literally."""
    return "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def person_matches(search: str):
    """A client whose name, email or preferred name holds ``search`` (the query must join
    Client and its User)."""
    pattern = like_pattern(search)
    return or_(User.name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\"),
               Client.preferred_name.ilike(pattern, escape="\\"))
