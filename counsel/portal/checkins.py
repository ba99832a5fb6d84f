"""The client's check-ins: when the next is due, giving one (a 0-10 rating per scale and an
optional note, for today or a day they missed), and the chart of every rating so far."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import DateField, TextAreaField
from wtforms.validators import InputRequired, Length

from .. import audit, checkins
from ..extensions import db
from ..forms import browser_newlines
from ..permissions import own_client_record
from . import bp
from .forms import storable

BACK_DAYS = 60  # how far back a missed day may still be given


class CheckInForm(FlaskForm):
    taken_on = DateField("The day this check-in is for",
                         validators=[InputRequired(message="Enter the day, for example today.")])
    note = TextAreaField("A short note (optional)", filters=[browser_newlines],
                         validators=[Length(max=checkins.NOTE_LENGTH,
                                            message=f"Keep the note to {checkins.NOTE_LENGTH} "
                                                    f"characters; your text is still here."),
                                     storable])


def _ratings(scales: list[str]) -> tuple[dict[str, int], dict[int, str], dict[int, str]]:
    """The ratings posted (rating-0, rating-1, ... in the scales' order): what was valid,
    what was typed (to show again), and a message for each scale not rated right."""
    ratings, typed, errors = {}, {}, {}
    for index, name in enumerate(scales):
        value = (request.form.get(f"rating-{index}") or "").strip()
        typed[index] = value
        if not value:
            errors[index] = f"Choose how you rate {name}, from 0 to 10."
        elif not re.fullmatch(r"[0-9]{1,2}", value) \
                or not checkins.LOWEST <= int(value) <= checkins.HIGHEST:
            errors[index] = f"Rate {name} with a whole number from 0 to 10."
        else:
            ratings[name] = int(value)
    return ratings, typed, errors


@bp.route("/checkins", methods=["GET", "POST"])
def checkins_page():
    client = own_client_record()
    ov = checkins.overview(client)
    schedule = ov.schedule
    open_ = schedule is not None and schedule.active
    form = CheckInForm() if request.method == "POST" else CheckInForm(data={"taken_on": ov.today})
    typed, errors = {}, {}
    if request.method == "POST" and open_:
        ratings, typed, errors = _ratings(list(schedule.scales))
        if form.validate_on_submit() and not errors:
            day = form.taken_on.data
            if day > ov.today:
                form.taken_on.errors = [f"That day has not come yet: give a check-in for today "
                                        f"({ov.today:%d %b %Y}) or a day before."]
            elif day < ov.today - timedelta(days=BACK_DAYS):
                form.taken_on.errors = [f"A check-in can be given for the last {BACK_DAYS} "
                                        f"days only."]
            elif any(c.taken_on == day for c in ov.checkins):
                form.taken_on.errors = [f"You already gave a check-in for {day:%d %b %Y}. "
                                        f"Choose another day."]
            else:
                try:
                    checkins.add_checkin(client, day, ratings, (form.note.data or "").strip())
                    db.session.commit()
                except IntegrityError:  # the same day, sent twice at once
                    db.session.rollback()
                    form.taken_on.errors = [f"You already gave a check-in for {day:%d %b %Y}. "
                                            f"Choose another day."]
                else:
                    flash("Thank you: your check-in is saved.", "success")
                    return redirect(url_for(".checkins_page"))
        client = own_client_record()
    audit.record("checkins.view", client)
    db.session.commit()
    failed = request.method == "POST"
    return render_template("portal/checkins.html", client=client, ov=ov, form=form,
                           open_=open_, typed=typed, errors=errors,
                           scales=list(schedule.scales) if schedule else []), \
        422 if failed else 200
