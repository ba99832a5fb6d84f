"""Data → context → template: one version of a progress report as a ``Document``, and its
HTML. The preview page and the PDF include the same ``reports/_document.html``, so what
the counselor previews is what the PDF holds; only the page frame differs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app

from ..clock import practice_today
from ..models import Case, utcnow
from .audiences import Audience
from .facts import Facts
from .sections import SECTIONS, Part, Scope, Section


@dataclass
class Document:
    scope: Scope
    parts: list[tuple[Section, Part]]

    @property
    def records(self) -> list[list]:
        """The records the version holds, as stored in the archive: [[type, id], ...]."""
        return [[kind, id_] for _section, part in self.parts for kind, id_ in part.records]

    @property
    def empty(self) -> bool:
        """Nothing happened in the range that this version may show."""
        return not self.records

    @property
    def title(self) -> str:
        return f"{self.scope.audience.title}, {self.scope.facts.since:%d %b %Y} to " \
               f"{self.scope.facts.until:%d %b %Y}"


def build(case: Case, audience: Audience, since: date, until: date, *, excerpts=(),
          narrative: str | None = "", next_steps: str | None = "",
          generated_at: datetime | None = None) -> Document:
    scope = Scope(facts=Facts(case, since, until, list(excerpts)), audience=audience,
                  counselor_name=case.counselor.name,
                  practice_name=current_app.config["PRACTICE_NAME"],
                  generated_at=generated_at or utcnow(), today=practice_today(),
                  narrative=narrative or "", next_steps=next_steps or "")
    parts = [(section, part) for section in SECTIONS
             if (part := section.build(scope)) is not None]
    return Document(scope, parts)


def pdf_html(document: Document, asset_origin: str) -> str:
    """The whole HTML page WeasyPrint renders, autoescaped like every template. It is
    rendered without the request's context processors: a worker has no request, and the
    PDF needs no signed-in user, CSRF token or URL of the site."""
    template = current_app.jinja_env.get_template("reports/pdf.html")
    return template.render(doc=document, asset_origin=asset_origin)
