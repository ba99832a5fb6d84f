"""The guide loader: every exercise in counsel/guide is loaded once, a rerun changes
nothing, and a changed exercise becomes a new version while assigned work keeps the old."""

import copy

from sqlalchemy import select

from counsel.extensions import db
from counsel.library import loader
from counsel.models import STAGES, Exercise

from ..factories import AssignmentFactory, ClientFactory, CounselorFactory


def library(slug=None):
    query = select(Exercise).where(Exercise.owner_id.is_(None)).order_by(Exercise.version)
    if slug:
        query = query.where(Exercise.slug == slug)
    return db.session.scalars(query).all()


def test_sync_loads_every_exercise_in_the_guide(app):
    guide = loader.read_guide()
    counts = loader.sync_library()
    db.session.commit()
    exercises = library()
    assert len(guide) >= 10
    assert counts == {"added": len(guide), "updated": 0, "unchanged": 0}
    assert len(exercises) == len(guide)
    assert {e.stage for e in exercises} == set(STAGES)
    assert all(e.version == 1 and e.retired_at is None and e.prompts for e in exercises)
    [apology] = library("apology-letter")
    assert apology.kind == "letter" and len(apology.prompts) == 1
    assert apology.leads_to_contact


def test_running_it_again_changes_nothing(app):
    loader.sync_library()
    db.session.commit()
    before = {(e.id, e.content_hash) for e in library()}
    counts = loader.sync_library()
    db.session.commit()
    assert counts == {"added": 0, "updated": 0, "unchanged": len(before)}
    assert {(e.id, e.content_hash) for e in library()} == before


def test_a_changed_exercise_is_a_new_version_and_assigned_work_keeps_the_old(app,
                                                                             monkeypatch):
    loader.sync_library()
    [v1] = library("apology-letter")
    counselor = CounselorFactory()
    assignment = AssignmentFactory(exercise=v1, counselor=counselor,
                                   client=ClientFactory(counselor=counselor))
    db.session.commit()
    old_prompts = list(v1.prompt_texts)

    guide = copy.deepcopy(loader.read_guide())
    changed = next(item for item in guide if item["slug"] == "apology-letter")
    changed["prompts"] = ["A reworded prompt.", "A second prompt."]
    monkeypatch.setattr(loader, "read_guide", lambda: guide)
    counts = loader.sync_library()
    db.session.commit()

    assert counts["updated"] == 1 and counts["added"] == 0
    assert counts["unchanged"] == len(guide) - 1
    db.session.expire_all()
    old, new = library("apology-letter")
    assert old.id == v1.id and old.retired_at is not None and old.prompt_texts == old_prompts
    assert new.version == 2 and new.retired_at is None
    assert new.prompt_texts == ["A reworded prompt.", "A second prompt."]
    db.session.refresh(assignment)
    assert assignment.exercise_id == v1.id and assignment.prompts == old_prompts
