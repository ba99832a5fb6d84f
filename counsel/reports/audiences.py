"""Who a version of a progress report is for, and so what it may say (PRODUCT.md privacy
rules 1-3 and the report section).

- **joint** (a couple's case): only what both partners may see: sessions both attended,
  agreements that bind them both, work one partner shared with the other.
- **partner** / **client**: that person's own work, what the other partner shared with
  them, the sessions they attended and the agreements that bind them.
- **counselor**: the counselor's file: everything above for every partner, and the safety
  flag. Never the private notes or the screenings, which no report holds.

A token names an audience in forms and URLs: "joint", "counselor", "partner:12",
"client:12" (a client id of the case).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import REPORT_AUDIENCES, Case, Client


class UnknownAudience(ValueError):
    """The token names nobody in this case."""


@dataclass(frozen=True)
class Audience:
    case: Case
    kind: str  # a key of REPORT_AUDIENCES
    client: Client | None = None

    @property
    def token(self) -> str:
        return f"{self.kind}:{self.client.id}" if self.client else self.kind

    @property
    def readers(self) -> list[Client]:
        """The clients who will read this version; none for the counselor's file."""
        if self.kind == "joint":
            return self.case.partners
        return [self.client] if self.client else []

    @property
    def reader_ids(self) -> set[int]:
        return {c.id for c in self.readers}

    @property
    def authors(self) -> list[Client]:
        """Whose own work the version shows (their shared work reaches others too)."""
        if self.kind == "counselor":
            return self.case.partners
        return [self.client] if self.client else []

    @property
    def shows_safety_flag(self) -> bool:
        return self.kind == "counselor"

    @property
    def for_clients(self) -> bool:
        return self.kind != "counselor"

    @property
    def title(self) -> str:
        if self.kind == "joint":
            return "Joint report for " + " and ".join(c.name for c in self.case.partners)
        if self.client:
            return f"Report for {self.client.name}"
        return REPORT_AUDIENCES["counselor"]

    @property
    def short_title(self) -> str:
        """For tabs and lists: "Joint", "Alex Rivera", "Counselor's file"."""
        if self.kind == "joint":
            return "Joint"
        return self.client.name if self.client else REPORT_AUDIENCES["counselor"]


def audiences_for(case: Case) -> list[Audience]:
    """Every version a case's report has: for a couple, joint, each partner and the
    counselor's file; for one client, theirs and the counselor's file."""
    if case.is_couple:
        people = [Audience(case, "joint")] + [Audience(case, "partner", c)
                                              for c in case.partners]
    else:
        people = [Audience(case, "client", c) for c in case.partners]
    return people + [Audience(case, "counselor")]


def audience_from_token(case: Case, token: str | None) -> Audience:
    for audience in audiences_for(case):
        if audience.token == (token or "").strip():
            return audience
    raise UnknownAudience(f"{token!r} is not someone this case's report is for")


def audience_of_report(case: Case, kind: str, client_id: int | None) -> Audience:
    token = f"{kind}:{client_id}" if client_id else kind
    return audience_from_token(case, token)


def audience_from_cli(case: Case, spec: str) -> Audience:
    """``joint``, ``counselor``, ``client`` or ``partner:EMAIL`` as the command line says it."""
    spec = (spec or "").strip()
    kind, _, email = spec.partition(":")
    if kind == "client" and not email and not case.is_couple and case.partners:
        return audience_from_token(case, f"client:{case.partners[0].id}")
    if email:
        for client in case.partners:
            if client.email.lower() == email.strip().lower():
                kind = "partner" if case.is_couple else "client"
                return audience_from_token(case, f"{kind}:{client.id}")
        raise UnknownAudience(f"{email} is not a partner in case {case.id}")
    return audience_from_token(case, kind)
