"""The case pages: the counselor's cases, opening one, the case page, renaming, closing
and reopening, the safety flag and the private safety screenings."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit
from ..clock import practice_today
from ..extensions import db
from ..forms import EmptyForm, button_change, choices
from ..inputs import id_arg
from ..models import FOLLOW_UP_OUTCOMES, Client, User
from ..paging import requested_page
from ..permissions import case_for_counselor, caseload_query
from . import bp, operations, queries
from .forms import FILTERS, CaseForm, CaseSearchForm, FlagForm, RenameForm, ScreeningForm
from .operations import CaseRefused

PER_PAGE = 25


@bp.get("/")
def index():
    form = CaseSearchForm(request.args)
    search = (form.q.data or "").strip() if form.validate() else ""
    status = request.args.get("status", "open")
    status = status if status in FILTERS else "open"
    cases = queries.cases_page(search, status, requested_page(), PER_PAGE)
    audit.record("caseload.view", detail="cases")
    db.session.commit()
    return render_template("cases/index.html", cases=cases, form=form, status=status,
                           filters=FILTERS)


def _active_caseload() -> dict[int, Client]:
    clients = db.session.scalars(caseload_query(current_user).join(Client.user)
                                 .where(User.active.is_(True)).order_by(User.name, Client.id))
    return {c.id: c for c in clients}


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = CaseForm(partner_one=request.args.get("client_id", 0, type=id_arg))
    caseload = _active_caseload()
    names = {c.id: c.name + (f" ({c.preferred_name})" if c.preferred_name else "")
             for c in caseload.values()}
    form.partner_one.choices = choices({0: "Choose a client"} | names)
    form.partner_two.choices = choices({0: "No one: an individual case"} | names)
    if form.validate_on_submit():
        chosen = {"partner_one": form.partner_one.data, "partner_two": form.partner_two.data}
        if not chosen["partner_one"]:
            form.partner_one.errors = ["Choose a client."]
        else:
            try:
                # An id outside the caseload finds no client here, so it is refused
                # like any other client who is not the counselor's to choose.
                partners = [_caseload_client(caseload, i, field) for field, i in chosen.items()
                            if i]
                case = operations.open_case(current_user, form.name.data, partners)
                db.session.commit()
                flash(f"Case “{case.name}” is open.", "success")
                return redirect(url_for(".show", case_id=case.id))
            except CaseRefused as refused:
                form[refused.field or "partner_one"].errors = [refused.message]
    return render_template("cases/form.html", form=form, case=None,
                           title="Open a case"), 422 if form.errors else 200


def _caseload_client(caseload: dict[int, Client], client_id: int, field: str) -> Client:
    if client_id not in caseload:
        raise CaseRefused("Choose clients from your active caseload.", field)
    return caseload[client_id]


def _viewed(case) -> None:
    """Every page showing the case (its name, flag, screenings) is a view of it."""
    operations.record_for_partners("case.view", case, current_user)
    db.session.commit()


@bp.get("/<int:case_id>")
def show(case_id):
    case = case_for_counselor(case_id)
    _viewed(case)
    return render_template(
        "cases/show.html", case=case, partners=queries.partner_work(case),
        sessions=queries.latest_sessions(case), agreements=queries.open_agreements(case),
        outcomes=FOLLOW_UP_OUTCOMES, form=EmptyForm(), today=practice_today())


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
def edit(case_id):
    case = case_for_counselor(case_id)
    form = RenameForm(obj=case)
    if form.validate_on_submit():
        try:
            operations.rename(current_user, case, form.name.data)
            db.session.commit()
            flash("The case is renamed.", "success")
            return redirect(url_for(".show", case_id=case.id))
        except CaseRefused as refused:
            form.name.errors = [refused.message]
    _viewed(case)
    return render_template("cases/form.html", form=form, case=case,
                           title="Rename the case"), 422 if form.errors else 200


@bp.post("/<int:case_id>/<any(close, reopen):action>")
def close_or_reopen(case_id, action):
    case = case_for_counselor(case_id)
    change = operations.close_case if action == "close" else operations.reopen_case
    button_change(lambda: change(current_user, case),
                  f"The case is {'closed' if action == 'close' else 'open again'}.", CaseRefused)
    return redirect(url_for(".show", case_id=case.id))


@bp.route("/<int:case_id>/safety", methods=["GET", "POST"])
def safety(case_id):
    case = case_for_counselor(case_id)
    form = FlagForm(data={"reason": case.safety_reason} if case.flagged else None)
    if form.validate_on_submit():
        try:
            operations.set_safety_flag(current_user, case, form.reason.data)
            db.session.commit()
            flash("The safety flag is set. It shows on every page of this case.", "success")
            return redirect(url_for(".show", case_id=case.id))
        except CaseRefused as refused:
            form.reason.errors = [refused.message]
    _viewed(case)
    return render_template("cases/safety.html", form=form, case=case, clear_form=EmptyForm()), \
        422 if form.errors else 200


@bp.post("/<int:case_id>/safety/clear")
def clear_flag(case_id):
    case = case_for_counselor(case_id)
    button_change(lambda: operations.clear_safety_flag(current_user, case),
                  "The safety flag is cleared.", CaseRefused)
    return redirect(url_for(".show", case_id=case.id))


@bp.route("/<int:case_id>/screenings/new", methods=["GET", "POST"])
def new_screening(case_id):
    case = case_for_counselor(case_id)
    form = ScreeningForm(client=request.args.get("client_id", 0, type=id_arg))
    form.client.choices = choices({0: "Choose a partner"} | {c.id: c.name for c in
                                                            case.partners})
    if form.validate_on_submit():
        partner = next((c for c in case.partners if c.id == form.client.data), None)
        try:
            operations.record_screening(current_user, case, partner, form.screened_on.data,
                                        form.outcome.data, form.note.data)
            db.session.commit()
            flash("The safety screening is recorded. Neither partner can see it.", "success")
            return redirect(url_for(".show", case_id=case.id) + "#screenings")
        except CaseRefused as refused:
            form[refused.field or "client"].errors = [refused.message]
    _viewed(case)
    return render_template("cases/screening.html", form=form, case=case), \
        422 if form.errors else 200

