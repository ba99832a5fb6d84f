"""Library pages: browsing and reading exercises, and a counselor's own exercises (new,
copy and adapt, edit, archive). Exercises are not clinical content, so reading them is not
audited; every change is."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..forms import EmptyForm
from ..models import STAGES, Exercise
from ..permissions import exercise_for_counselor, own_exercise, refuse, visible_exercises
from . import bp, operations
from .forms import ExerciseForm, exercise_data


@bp.get("/")
def index():
    stage = request.args.get("stage")
    stage = stage if stage in STAGES else None
    query = visible_exercises(current_user).order_by(Exercise.owner_id.is_not(None),
                                                     Exercise.title, Exercise.id)
    if stage:
        query = query.where(Exercise.stage == stage)
    exercises = db.session.scalars(query).all()
    groups = [(key, title, [e for e in exercises if e.stage == key])
              for key, title in STAGES.items()]
    return render_template("library/index.html", groups=[g for g in groups if g[2]],
                           stage=stage, stages=STAGES)


@bp.get("/<int:exercise_id>")
def show(exercise_id):
    exercise = exercise_for_counselor(exercise_id)
    return render_template("library/show.html", exercise=exercise)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = ExerciseForm.load()
    if form.validate_on_submit():
        exercise = operations.create_exercise(current_user, exercise_data(form))
        db.session.commit()
        flash("Your exercise is saved. You can assign it now.", "success")
        return redirect(url_for(".show", exercise_id=exercise.id))
    return render_template("library/form.html", form=form.with_blank_rows(), exercise=None)


@bp.route("/<int:exercise_id>/copy", methods=["GET", "POST"], endpoint="copy")
def copy_and_adapt(exercise_id):
    """The exercise's form, filled from it, to adapt: the copy exists only once saved, so
    a click on "Copy and adapt" leaves nothing behind."""
    exercise = exercise_for_counselor(exercise_id)
    form = ExerciseForm.load(exercise)
    if request.method == "GET":
        form.title.data = operations.adapted_title(exercise.title)
    if form.validate_on_submit():
        adapted = operations.copy_exercise(current_user, exercise, exercise_data(form))
        db.session.commit()
        flash("Your adapted exercise is saved. You can assign it now.", "success")
        return redirect(url_for(".show", exercise_id=adapted.id))
    return render_template("library/form.html", form=form.with_blank_rows(), exercise=None,
                           source=exercise)


@bp.route("/<int:exercise_id>/edit", methods=["GET", "POST"])
def edit(exercise_id):
    exercise = _own_current_exercise(exercise_id)
    form = ExerciseForm.load(exercise)
    if form.validate_on_submit():
        operations.update_exercise(current_user, exercise, exercise_data(form))
        db.session.commit()
        flash("Exercise saved. Work already assigned from it is unchanged.", "success")
        return redirect(url_for(".show", exercise_id=exercise.id))
    return render_template("library/form.html", form=form.with_blank_rows(), exercise=exercise)


@bp.post("/<int:exercise_id>/archive")
def archive(exercise_id):
    exercise = _own_current_exercise(exercise_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for(".show", exercise_id=exercise.id))
    operations.archive_exercise(current_user, exercise)
    db.session.commit()
    flash(f"“{exercise.title}” is archived. Work already assigned from it is unchanged.",
          "success")
    return redirect(url_for(".index"))


def _own_current_exercise(exercise_id: int) -> Exercise:
    """One of the counselor's own exercises that is not archived, or 404."""
    exercise = own_exercise(exercise_id)
    if exercise.retired_at is not None:
        refuse("exercises", exercise_id)
    return exercise
