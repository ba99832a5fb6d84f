from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from .. import audit, checkins, history
from ..assignments import queries
from ..auth import invitations
from ..cases import queries as case_queries
from ..clock import practice_today
from ..extensions import db
from ..forms import EmptyForm, choices
from ..links import absolute_url
from ..models import Client, User
from ..models.library import STAGES
from ..notifications import operations as notifications
from ..notifications.forms import SafetyForm
from ..notifications.outbox import address_for
from ..paging import paged, requested_page
from ..pathway import stages
from ..permissions import caseload_query, client_for_counselor
from ..search import person_matches
from . import bp, operations
from .forms import ClientForm, NewClientForm, SearchForm

PER_PAGE = 50
CASES_SHOWN = 10
FILTERS = {"all": "All clients", "active": "Active", "overdue": "With overdue work",
           "inactive": "Deactivated"}


def filtered_caseload(search: str, status: str, stage: str | None = None):
    """The caseload as a statement, for paging; each client comes with their account.
    ``stage``: only clients whose current stage it is ("none": no work yet)."""
    query = (caseload_query(current_user).join(Client.user).order_by(User.name, Client.id)
             .options(contains_eager(Client.user)))
    if search:
        query = query.where(person_matches(search))
    if status in ("active", "inactive"):
        query = query.where(User.active.is_(status == "active"))
    if status == "overdue":
        query = query.where(Client.id.in_(queries.clients_with_overdue_work(practice_today())))
    if stage in STAGES or stage == "none":
        query = query.where(Client.id.in_(stages.clients_at(
            None if stage == "none" else stage, caseload_query(current_user))))
    return query


@bp.get("/")
def index():
    form = SearchForm(request.args)
    search = (form.q.data or "").strip() if form.validate() else ""
    status = request.args.get("status", "all")
    stage = request.args.get("stage")
    stage = stage if stage in STAGES or stage == "none" else None
    clients = paged(filtered_caseload(search, status if status in FILTERS else "all", stage),
                    requested_page(), PER_PAGE)
    # A search finds cases too: the open ones matching the same words (one statement).
    # Without one the page links to the list of cases instead of repeating every client's
    # individual case (named after them) above the client.
    cases = paged(case_queries.filtered_cases(search, "open"), 1, CASES_SHOWN) if search \
        else None
    audit.record("caseload.view")
    db.session.commit()
    return render_template("clients/index.html", clients=clients, form=form, status=status,
                           filters=FILTERS, cases=cases, stage=stage, stages=STAGES)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = NewClientForm()
    if form.validate_on_submit():
        try:
            client, token = operations.add_client(
                current_user, **_client_data(form), mail_safety=form.mail_safety.data,
                safe_email=form.safe_email.data)
            db.session.commit()
            return _show_invitation(client, token, created=True)
        except IntegrityError:
            _email_taken_meanwhile(form)
    return render_template("clients/form.html", form=form, client=None)


@bp.get("/<int:client_id>")
def show(client_id):
    client = client_for_counselor(client_id)
    audit.record("client.view", client)
    audit.record("checkins.view", client)  # the page charts the client's check-ins
    db.session.commit()
    assignments = queries.for_client(client, requested_page())
    return render_template("clients/show.html", client=client, form=EmptyForm(),
                           assignments=assignments, today=practice_today(),
                           ov=checkins.overview(client),
                           cases=case_queries.cases_of_client_list(client),
                           refused=notifications.refused_delivery(client.user))


@bp.route("/<int:client_id>/edit", methods=["GET", "POST"])
def edit(client_id):
    client = client_for_counselor(client_id)
    form = ClientForm(obj=client, existing_user_id=client.user_id)
    if form.validate_on_submit():
        try:
            operations.update_client(current_user, client, **_client_data(form))
            db.session.commit()
            flash("Client details saved.", "success")
            return redirect(url_for(".show", client_id=client.id))
        except IntegrityError:
            _email_taken_meanwhile(form)
    # The form shows the client's details: a view of their record like any other.
    audit.record("client.view", client)
    db.session.commit()
    return render_template("clients/form.html", form=form, client=client)


@bp.route("/<int:client_id>/email-safety", methods=["GET", "POST"])
def email_safety(client_id):
    """The counselor may learn of danger in a session: they can stop the client's email,
    or send it to a safe address, at once."""
    client = client_for_counselor(client_id)
    form = SafetyForm(data={"mail_safety": client.mail_safety, "safe_email": client.safe_email})
    form.mail_safety.choices = choices(notifications.SAFETY_LABELS_FOR_COUNSELOR)
    if form.validate_on_submit():
        notifications.set_mail_safety(current_user, client, form.mail_safety.data,
                                      form.safe_email.data)
        db.session.commit()
        flash(f"Email safety for {client.display_name} is saved. It applies at once.", "success")
        return redirect(url_for(".show", client_id=client.id))
    audit.record("client.view", client)  # the page shows the client's addresses
    db.session.commit()
    return render_template("clients/email_safety.html", form=form, client=client), \
        422 if request.method == "POST" else 200


@bp.post("/<int:client_id>/invitation")
def reinvite(client_id):
    client = client_for_counselor(client_id)
    if not EmptyForm().validate_on_submit() or not client.active:
        return redirect(url_for(".show", client_id=client.id))
    token = invitations.issue(current_user, client.user)
    db.session.commit()
    return _show_invitation(client, token, created=False)


@bp.post("/<int:client_id>/<any(deactivate, reactivate):action>")
def set_active(client_id, action):
    client = client_for_counselor(client_id)
    if EmptyForm().validate_on_submit():
        operations.set_active(current_user, client.user, action == "reactivate")
        db.session.commit()
        flash(f"{client.display_name} is {'active again' if client.active else 'deactivated'}.",
              "success")
    return redirect(url_for(".show", client_id=client.id))


@bp.get("/<int:client_id>/access")
def access_history(client_id):
    client = client_for_counselor(client_id)
    page = history.page_for(client, request.args)
    audit.record("client.access_history.view", client)
    db.session.commit()
    return render_template("clients/access.html", client=client, page=page,
                           kinds=history.KINDS, page_size=history.PAGE_SIZE)


def _email_taken_meanwhile(form: ClientForm) -> None:
    """The address was free when the form was checked, but another request took it before
    this one was saved (the unique email caught it): the same answer the check would give
    now, with everything typed kept in the form."""
    db.session.rollback()
    form.email.errors = [operations.email_problem(current_user, form.email.data)
                         or operations.NOT_AVAILABLE]


def _client_data(form: ClientForm) -> dict:
    return {name: form[name].data for name in
            ("name", "email", "phone", "preferred_name", "pronouns")}


def _show_invitation(client, token, created):
    """Rendered straight from the POST: the link exists only in this response."""
    link = absolute_url("auth.accept_invitation", token=token)
    return render_template("clients/invitation.html", client=client, link=link, created=created,
                           emailed_to=address_for(client.user))
