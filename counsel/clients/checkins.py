"""A client's check-ins, for their counselor: the schedule (how often, which scales, paused
or not), the client's time zone (which defines their day), and the chart of every rating."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from .. import audit, checkins
from ..extensions import db
from ..forms import choices
from ..models.progress import CHECKIN_SCALES
from ..permissions import client_for_counselor
from . import bp


class ScheduleForm(FlaskForm):
    every_days = IntegerField(
        "Every how many days", default=checkins.DEFAULTS["every_days"],
        description="7 is weekly. The next check-in is due this many days after the latest.",
        validators=[InputRequired(message="Enter how many days apart, for example 7."),
                    NumberRange(1, checkins.EVERY_DAYS_MOST,
                                message=f"Enter a number of days from 1 to "
                                        f"{checkins.EVERY_DAYS_MOST}.")],
        render_kw={"inputmode": "numeric"})
    scales = SelectMultipleField(
        "Scales to rate", choices=choices({s: s for s in CHECKIN_SCALES}),
        default=list(CHECKIN_SCALES), validate_choice=False,
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))
    own = StringField("Their own scales (optional)",
                      description="Short names, separated by commas, for example "
                                  "\"closeness, calm\". At most 6 scales in all.",
                      filters=[lambda v: v or ""])
    starts_on = DateField("First check-in due on",
                          validators=[InputRequired(message="Enter the day of the first "
                                                            "check-in.")])
    paused = BooleanField("Paused: no check-ins are due and no reminders go")
    time_zone = StringField(
        "The client's time zone (optional)", filters=[lambda v: (v or "").strip()],
        description="Their check-in day is a day where they live. Empty: the practice's "
                    "time zone.", render_kw={"list": "zones", "autocomplete": "off"})
    version = HiddenField()

    def all_scales(self) -> list[str]:
        chosen = [s for s in (self.scales.data or []) if s in CHECKIN_SCALES]
        own = [checkins.clean_scale(s) for s in self.own.data.split(",")]
        return chosen + [s for s in own if s]

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        problem = checkins.scales_problem(self.all_scales())
        if problem:
            self.own.errors = [*self.own.errors, problem]
            valid = False
        if self.time_zone.data:
            problem = checkins.zone_problem(self.time_zone.data)
            if problem:
                self.time_zone.errors = [*self.time_zone.errors, problem]
                valid = False
        return valid


@bp.route("/<int:client_id>/checkins", methods=["GET", "POST"])
def checkin_schedule(client_id):
    client = client_for_counselor(client_id)
    ov = checkins.overview(client)
    schedule = ov.schedule
    if request.method == "GET":
        form = ScheduleForm(data={
            "every_days": schedule.every_days, "version": schedule.version,
            "scales": [s for s in schedule.scales if s in CHECKIN_SCALES],
            "own": ", ".join(s for s in schedule.scales if s not in CHECKIN_SCALES),
            "starts_on": schedule.starts_on, "paused": not schedule.active,
            "time_zone": client.time_zone or ""} if schedule else {
            "starts_on": ov.today, "time_zone": client.time_zone or "", "version": "0"})
    else:
        form = ScheduleForm()
    if form.validate_on_submit():
        if str(schedule.version if schedule else 0) == (form.version.data or ""):
            try:
                checkins.save_schedule(
                    current_user, client, schedule, every_days=form.every_days.data,
                    scales=form.all_scales(), starts_on=form.starts_on.data,
                    active=not form.paused.data, time_zone=form.time_zone.data or None)
                db.session.commit()
                flash(f"Check-ins for {client.display_name} are saved.", "success")
                return redirect(url_for(".checkin_schedule", client_id=client.id))
            except IntegrityError:  # another window created the schedule a moment before
                db.session.rollback()
                client = client_for_counselor(client_id)
                ov = checkins.overview(client)
        form.form_errors.append(
            "This schedule was changed meanwhile (in another window, or by someone else). "
            "The page now shows what you typed; check it and save again.")
        form.version.data = str(ov.schedule.version if ov.schedule else 0)
    audit.record("checkins.view", client)
    db.session.commit()
    return render_template("clients/checkins.html", client=client, form=form, ov=ov,
                           zones=checkins.COMMON_ZONES), \
        422 if request.method == "POST" else 200

