"""Loads the guide's exercises from ``counsel/guide/*.toml`` into the database.

Each exercise is keyed by its slug. When a file's content changes, a new version row is
added and the old one retired; nothing is edited in place, so assignments made from an
older version keep exactly what they were given.
"""

import hashlib
import json
import tomllib
from importlib import resources

from sqlalchemy import select

from ..extensions import db
from ..models import KINDS, STAGES, Exercise, ExercisePrompt, utcnow

FIELDS = ("stage", "kind", "title", "purpose", "instructions", "estimated_minutes",
          "leads_to_contact")


def read_guide() -> list[dict]:
    """Every exercise in the guide files, in stage order, validated."""
    exercises = []
    for path in sorted(resources.files("counsel.guide").iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".toml"):
            continue
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for item in data["exercises"]:
            item = {**item, "stage": data["stage"]}
            if item["stage"] not in STAGES or item["kind"] not in KINDS or not item["prompts"]:
                raise ValueError(f"{path.name}: {item.get('slug')}: bad stage, kind or prompts")
            exercises.append(item)
    return exercises


def content_hash(item: dict) -> str:
    content = {field: item[field] for field in FIELDS} | {"prompts": item["prompts"]}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def sync_library(session=None) -> dict[str, int]:
    """Bring the database up to date with the guide files; returns counts by outcome.

    ``session`` defaults to the app's; ``flask db upgrade`` passes one bound to the
    migration's own connection (see migrations/env.py), so a fresh install has a library.
    """
    session = session if session is not None else db.session
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    for item in read_guide():
        current = session.scalars(
            select(Exercise).where(Exercise.slug == item["slug"], Exercise.owner_id.is_(None))
            .order_by(Exercise.version.desc())
        ).first()
        digest = content_hash(item)
        if current is not None and current.content_hash == digest:
            counts["unchanged"] += 1
            continue
        if current is not None:
            current.retired_at = utcnow()
        session.add(Exercise(
            slug=item["slug"], version=current.version + 1 if current else 1,
            content_hash=digest, **{field: item[field] for field in FIELDS},
            prompts=[ExercisePrompt(position=n, text=t) for n, t in enumerate(item["prompts"])],
        ))
        counts["updated" if current else "added"] += 1
    session.flush()
    return counts
