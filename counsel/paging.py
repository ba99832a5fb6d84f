"""Pages of a list that grows (issue 7): one count and one page of rows, whatever the
size of the list, and links that keep the rest of the query string (search, filters)."""

from dataclasses import dataclass

from flask import request
from sqlalchemy import Select, func, select

from .extensions import db


@dataclass
class Page:
    items: list
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def requested_page(name: str = "page") -> int:
    return max(1, request.args.get(name, 1, type=int) or 1)


def paged(statement: Select, number: int, size: int, *, rows: bool = False) -> Page:
    """``statement``'s rows ``size`` at a time; ``rows`` keeps whole rows instead of the
    first entity (for lists that carry a computed column, such as a count)."""
    total = db.session.scalar(select(func.count()).select_from(
        statement.order_by(None).subquery()))
    number = min(number, max(1, -(-total // size)))
    result = db.session.execute(statement.limit(size).offset((number - 1) * size))
    return Page(items=result.all() if rows else result.scalars().all(), total=total,
                number=number, size=size)
