"""Pages of a list that grows (issue 7): one statement for a page of rows and the total,
whatever the size of the list, and links that keep the rest of the query string (search,
filters)."""

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
    first entity (for lists that carry a computed column, such as a count).

    The total comes with the rows (``count(*) OVER ()``): one statement, not a count and
    then the page. Only a page past the end (an old link after the list shrank) needs the
    count on its own, to show the last page instead."""
    total_column = func.count().over().label("page_total")
    counted = statement.add_columns(total_column)
    result = db.session.execute(counted.limit(size).offset((number - 1) * size)).all()
    if result:
        total = result[-1][-1]
    elif number == 1:
        total = 0
    else:
        total = db.session.scalar(select(func.count()).select_from(
            statement.order_by(None).subquery()))
        last = max(1, -(-total // size))
        if number > last:
            number = last
            result = db.session.execute(
                counted.limit(size).offset((number - 1) * size)).all()
    items = [tuple(row[:-1]) for row in result] if rows else [row[0] for row in result]
    return Page(items=items, total=total, number=number, size=size)
