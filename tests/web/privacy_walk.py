"""Walks every GET page a client may open (driven by ``app.url_map``, so a page added
later is walked the day it exists) with every id of a scene in each integer argument,
and collects what each response said. Used by test_partner_privacy.py.

A rule is walked unless its blueprint belongs to another role (tests/routes.py
``endpoint_role``); only static files are skipped. Integer arguments are filled from the
ids of the table their name points at (``case_id`` from cases, ``number`` 1–3, ...);
an argument with an unknown name gets every id of every table, up to a cap. Each page that
answers 200 is fetched again asking for JSON and with the query arguments list pages take.
A PDF (a progress report) is searched by its text, as pypdf extracts it.
"""

import html
import itertools
import json
from dataclasses import dataclass, field

from pypdf.errors import PdfReadError
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from counsel.extensions import db
from counsel.models import (
    Addendum,
    Agreement,
    AgreementFollowUp,
    Assignment,
    Case,
    Client,
    CounselingSession,
    Draft,
    ExcerptConsent,
    Report,
    Review,
    ReviewComment,
    Revision,
    SafetyScreening,
    Share,
    User,
)

from ..routes import endpoint_role, rules
from .report_steps import pdf_words

SKIPPED = {"static"}
# Integer argument name -> the table whose ids it takes.
TABLES = {"case_id": Case, "session_id": CounselingSession, "share_id": Share,
          "assignment_id": Assignment, "agreement_id": Agreement, "client_id": Client,
          "revision_id": Revision, "screening_id": SafetyScreening, "addendum_id": Addendum,
          "follow_up_id": AgreementFollowUp, "user_id": User, "draft_id": Draft,
          "review_id": Review, "comment_id": ReviewComment, "report_id": Report,
          "consent_id": ExcerptConsent}
NUMBERS = [1, 2, 3]  # revision numbers
OTHER_CAP = 60
PER_RULE_CAP = 3000
QUERIES = ("done=all", "page=2")


@dataclass
class Walk:
    bodies: list = field(default_factory=list)  # (url, status, searchable text)
    statuses: dict = field(default_factory=dict)

    def search(self, needle: str) -> list[str]:
        return [url for url, _status, text in self.bodies if needle in text]

    @property
    def pages_with_data(self) -> int:
        return sum(1 for _url, status, _text in self.bodies if status == 200)


def scene_ids() -> dict[str, list[int]]:
    ids = {name: sorted(db.session.scalars(select(model.id))) for name, model in TABLES.items()}
    everything = sorted({i for values in ids.values() for i in values})[:OTHER_CAP]
    return ids | {"number": NUMBERS, "*": everything}


def client_rules(app):
    """Every GET rule a client is not refused by role."""
    for rule, _methods in rules(app, method="GET"):
        if rule.endpoint in SKIPPED or endpoint_role(rule.endpoint) not in (None, "client"):
            continue
        yield rule


def urls(rule, ids: dict[str, list[int]]) -> list[str]:
    choices = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            choices[name] = ids.get(name, ids["*"])
        elif type(converter).__name__ == "AnyConverter":
            choices[name] = sorted(converter.items)
        else:
            choices[name] = ["x"]
    names = list(choices)
    combos = list(itertools.product(*(choices[n] for n in names)))
    assert len(combos) <= PER_RULE_CAP, (
        f"{rule.endpoint}: {len(combos)} URLs; name its id arguments in privacy_walk.TABLES")
    return [rule.build(dict(zip(names, values, strict=True)))[1] for values in combos]


def _pdf_text(data: bytes) -> str:
    """The words of a PDF (a progress report downloaded from the portal), so the walk
    searches what a reader of it sees; bytes that are no PDF are searched as they are."""
    try:
        return pdf_words(data)
    except PdfReadError:
        return data.decode("utf-8", errors="replace")


def _searchable(response) -> str:
    if response.mimetype == "application/pdf":
        return _pdf_text(response.get_data())
    text = response.get_data().decode("utf-8", errors="replace")
    if response.is_json:
        text += "\n" + json.dumps(response.get_json(silent=True), ensure_ascii=False)
    return html.unescape(text)


def walk(app, client, ids: dict[str, list[int]]) -> Walk:
    result = Walk()

    def fetch(url, **headers):
        response = client.get(url, headers=headers)
        assert response.status_code < 500, (url, response.status_code)
        result.bodies.append((url, response.status_code, _searchable(response)))
        result.statuses[url] = response.status_code
        return response

    for rule in client_rules(app):
        for url in urls(rule, ids):
            if fetch(url).status_code != 200:
                continue
            fetch(url, Accept="application/json")
            for query in QUERIES:
                fetch(f"{url}{'&' if '?' in url else '?'}{query}")
    return result
