"""The client's sharing pages: confirming a share of one of their revisions, memory journal
entries or quality-time plans, withdrawing it, and reading what the other partner shared
with them ("Shared with you")."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit
from ..extensions import db
from ..forms import EmptyForm
from ..paging import requested_page
from ..permissions import (
    assignment_for_client,
    journal_entry_of,
    own_client_record,
    refuse,
    revision_of,
    share_for_recipient,
    share_of_author,
)
from ..records import plan as plans
from . import bp, partners
from .partners import ShareRefused


def _revision_url(revision):
    return url_for(".revision", assignment_id=revision.assignment_id, number=revision.number)


def _item_url(item):
    """The author's own page of a shared revision, journal entry or plan."""
    if item.revision is not None:
        return _revision_url(item.revision)
    if item.journal_entry is not None:
        return url_for(".work", assignment_id=item.journal_entry.assignment_id,
                       _anchor=f"entry-{item.journal_entry.id}")
    return url_for(".work", assignment_id=item.plan_id, _anchor="plan")


def _partner(client):
    case_id = request.values.get("case")
    partner = partners.choose_partner(partners.partners_of(client), case_id)
    if partner is None:
        refuse("cases", case_id)
    return partner


def _confirm_or_share(client, item, partner, *, back, noun, view, page):
    """GET: exactly what the partner would see, and a button to confirm; POST: share, and
    back to ``back``. ``page`` has what the confirmation shows of ``item``; ``view`` is the
    audit action of reading it there."""
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            partners.share(current_user, client, item, partner)
            db.session.commit()
            flash(f"Shared with {partner.client.display_name}. They can read {noun} under "
                  "\u201cShared with you\u201d. You can withdraw it at any time.", "success")
        except ShareRefused as refused:
            db.session.rollback()
            flash(refused.message, "info")
        return redirect(back)
    already = any(s.recipient_id == partner.client.id
                  for s in partners.active_shares_of(client, item))
    audit.record(view, item, client=client)
    db.session.commit()
    return render_template("portal/share.html", partner=partner, form=form, already=already,
                           back=back, noun=noun, action=request.path, **page)


@bp.route("/assignments/<int:assignment_id>/plan/share", methods=["GET", "POST"])
def share_plan(assignment_id):
    """The plan as a whole: its items as they stand whenever the partner looks."""
    client = own_client_record()
    assignment = assignment_for_client(assignment_id)
    if assignment.kind != "plan":
        refuse("assignments", assignment_id)
    partner = _partner(client)
    return _confirm_or_share(
        client, assignment, partner, noun="this plan", view="assignment.view",
        back=url_for(".work", assignment_id=assignment.id, _anchor="plan"),
        page={"kind": "plan", "plan": assignment, "items": plans.items_of(assignment)})


@bp.route("/assignments/<int:assignment_id>/journal/<int:entry_id>/share",
          methods=["GET", "POST"])
def share_journal_entry(assignment_id, entry_id):
    client = own_client_record()
    assignment = assignment_for_client(assignment_id)
    entry = journal_entry_of(assignment, entry_id)
    partner = _partner(client)
    return _confirm_or_share(
        client, entry, partner, noun="this memory", view="journal_entry.view",
        back=url_for(".work", assignment_id=assignment.id, _anchor=f"entry-{entry.id}"),
        page={"kind": "journal_entry", "entry": entry, "assignment": assignment})


@bp.route("/assignments/<int:assignment_id>/revisions/<int:number>/share",
          methods=["GET", "POST"])
def share(assignment_id, number):
    """GET: exactly what the other partner would see, and a button to confirm. POST: share."""
    client = own_client_record()
    assignment = assignment_for_client(assignment_id)
    revision = revision_of(assignment, number)
    return _confirm_or_share(
        client, revision, _partner(client), noun="this revision", view="revision.view",
        back=_revision_url(revision),
        page={"kind": "revision", "assignment": assignment, "revision": revision})


@bp.post("/shares/<int:share_id>/withdraw")
def withdraw_share(share_id):
    client = own_client_record()
    item = share_of_author(client, share_id, *partners.with_item())
    if EmptyForm().validate_on_submit():
        try:
            partners.withdraw(current_user, item)
            db.session.commit()
            flash(f"Withdrawn: {item.recipient.display_name} can no longer see it.", "success")
        except ShareRefused as refused:
            db.session.rollback()
            flash(refused.message, "info")
    if request.form.get("back") == "shared":
        return redirect(url_for(".shared_list"))
    return redirect(_item_url(item))


@bp.get("/shared")
def shared_list():
    """What the other partner shares with this client, and what this client shares."""
    client = own_client_record()
    audit.record("shares.view", client)
    db.session.commit()
    received = partners.shared_with(client, requested_page("received"))
    given = partners.shared_by(client, requested_page("given"))
    return render_template("portal/shared_list.html", received=received, given=given,
                           form=EmptyForm())


@bp.get("/shared/<int:share_id>")
def shared_item(share_id):
    """One item shared with this client, read-only; once withdrawn, nothing of it."""
    client = own_client_record()
    item = share_for_recipient(client, share_id, *partners.with_item())
    thing = partners.shared_thing(item)
    if not item.active:
        audit.record("share.view", thing, client=item.author_id, outcome="withdrawn",
                     detail=f"share {item.id}")
        db.session.commit()
        return render_template("portal/share_gone.html"), 410
    audit.record("share.view", thing, client=item.author_id, detail=f"share {item.id}")
    db.session.commit()
    if item.revision is not None:
        page = {"kind": "revision", "assignment": item.revision.assignment,
                "revision": item.revision}
    elif item.journal_entry is not None:
        page = {"kind": "journal_entry", "entry": item.journal_entry,
                "assignment": item.journal_entry.assignment}
    else:
        page = {"kind": "plan", "plan": item.plan, "items": plans.items_of(item.plan)}
    return render_template("portal/shared_item.html", item=item, **page)
