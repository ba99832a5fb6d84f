"""Changes to a counselor's own exercises. Plain functions of (actor, object, data): they
flush, record audit rows, and leave the commit to the view.

Library exercises are never changed here: the guide loader versions them. Editing an own
exercise in place is safe because assignments keep their own copy of what they were given.
"""

from .. import audit
from ..extensions import db
from ..models import Exercise, ExercisePrompt, User, utcnow

# The fields a counselor may set; owner, slug, version and the rest are never taken from data.
FIELDS = ("title", "stage", "kind", "purpose", "instructions", "estimated_minutes",
          "leads_to_contact")
ADAPTED = " (adapted)"


def _numbered(texts) -> list[ExercisePrompt]:
    return [ExercisePrompt(position=n, text=text) for n, text in enumerate(texts)]


def create_exercise(counselor: User, data: dict) -> Exercise:
    exercise = Exercise(owner_id=counselor.id, slug=None, version=1,
                        **{field: data[field] for field in FIELDS},
                        prompts=_numbered(data["prompts"]))
    db.session.add(exercise)
    db.session.flush()
    audit.record("exercise.create", exercise, actor=counselor)
    return exercise


def update_exercise(counselor: User, exercise: Exercise, data: dict) -> None:
    for field in FIELDS:
        setattr(exercise, field, data[field])
    # Replace the rows outright: the old ones are deleted as orphans.
    exercise.prompts = _numbered(data["prompts"])
    db.session.flush()
    audit.record("exercise.update", exercise, actor=counselor)


def adapted_title(title: str) -> str:
    return title[:120 - len(ADAPTED)] + ADAPTED


def copy_exercise(counselor: User, exercise: Exercise, data: dict) -> Exercise:
    """A new own exercise, as the counselor adapted it, remembering which one it came from."""
    copy = Exercise(owner_id=counselor.id, source_id=exercise.id, slug=None, version=1,
                    **{field: data[field] for field in FIELDS},
                    prompts=_numbered(data["prompts"]))
    db.session.add(copy)
    db.session.flush()
    audit.record("exercise.copy", copy, actor=counselor, detail=f"from exercise {exercise.id}")
    return copy


def archive_exercise(counselor: User, exercise: Exercise) -> None:
    """Hide it from the library; assignments made from it are untouched."""
    if exercise.retired_at is None:
        exercise.retired_at = utcnow()
    audit.record("exercise.archive", exercise, actor=counselor)
