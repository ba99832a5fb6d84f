"""Quality-time plans and memory journals on the client's work page (issue 11, items 2 and
4): adding, changing, marking done or skipped; every refusal keeps what was typed; the
counselor reads them on the assignment and review pages; every change is audited."""

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from counsel import checkins
from counsel.extensions import db
from counsel.models import AuditEvent, JournalEntry, PlanItem

from ..conftest import Auth
from . import plans_world

t = plans_world.plain


@pytest.fixture
def world(people):
    return plans_world.build(people)


def browser(app, world, who):
    client = app.test_client()
    Auth(client).login(world[who].user if who in ("alex", "sam", "casey") else world[who])
    return client


def items(work):
    db.session.expire_all()
    return db.session.scalars(select(PlanItem).where(PlanItem.assignment_id == work.id)
                              .order_by(PlanItem.id)).all()


def entries(work):
    db.session.expire_all()
    return db.session.scalars(select(JournalEntry).where(JournalEntry.assignment_id == work.id)
                              .order_by(JournalEntry.id)).all()


def rows(action):
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).all()


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def day(work, days=0):
    return (checkins.client_today(work.client) + timedelta(days=days)).isoformat()


def plan_url(work, rest=""):
    return f"/my/assignments/{work.id}/plan/items{rest}"


def journal_url(work, rest=""):
    return f"/my/assignments/{work.id}/journal/entries{rest}"


# --- the plan ------------------------------------------------------------------------------

def test_the_work_page_lists_the_plan_with_its_forms(app, world):
    page = browser(app, world, "alex").get(f"/my/assignments/{world['plan'].id}")
    assert page.status_code == 200
    for words in ("Your plan", "What", "When (date)", "Time (optional)", "Where (optional)",
                  "Add to the plan", "Mark done", "Skip", "How did it go?", "Planned", "Done",
                  t("walk"), t("park"), "7pm", t("dinner"), t("howwent")):
        assert words in page.text, words
    # sorted by date: yesterday's dinner before tomorrow's walk
    assert page.text.index(t("dinner")) < page.text.index(t("walk"))


def test_adding_changing_and_marking_items(app, world):
    plan, alex = world["plan"], browser(app, world, "alex")
    added = alex.post(plan_url(plan), data={"what": t("picnic"), "planned_on": day(plan, 5),
                                            "at_time": "noon", "place": ""},
                      follow_redirects=True)
    assert "Added to the plan." in added.text and t("picnic") in added.text
    new = items(plan)[-1]
    assert (new.what, new.at_time, new.place, new.status) == (t("picnic"), "noon", None,
                                                             "planned")
    changed = alex.post(plan_url(plan, f"/{new.id}"), data={
        "what": t("picnic2"), "planned_on": day(plan, 6),
        "place": t("beach")}, follow_redirects=True)
    assert "saved" in changed.text
    new = items(plan)[-1]
    assert (new.what, new.place, new.at_time) == (t("picnic2"), t("beach"), None)
    done = alex.post(plan_url(plan, f"/{new.id}/done"),
                     data={"reflection": t("lovely")}, follow_redirects=True)
    assert "Marked done" in done.text and t("lovely") in done.text
    assert (items(plan)[-1].status, items(plan)[-1].reflection) == ("done", t("lovely"))
    walk = world["walk"]
    quiet = alex.post(plan_url(plan, f"/{walk.id}/done"), follow_redirects=True)
    assert "a few words on how it went" in quiet.text
    assert fresh(PlanItem, walk.id).status == "done"
    later = alex.post(plan_url(plan, f"/{walk.id}/done"),
                      data={"reflection": t("after")}, follow_redirects=True)
    assert "Saved how it went." in later.text
    assert fresh(PlanItem, walk.id).reflection == t("after")
    other = items(plan)[0]
    assert other.id == walk.id
    third = alex.post(plan_url(plan), data={"what": "cinema", "planned_on": day(plan, 2)})
    assert third.status_code == 302
    skipped = items(plan)[-1]
    alex.post(plan_url(plan, f"/{skipped.id}/skip"))
    assert items(plan)[-1].status == "skipped"
    # neither done nor skipped can be changed; a skipped one cannot be marked done
    for url, data in ((plan_url(plan, f"/{skipped.id}"), {
            "what": t("sneaky"), "planned_on": day(plan)}),
                      (plan_url(plan, f"/{skipped.id}/done"), {}),
                      (plan_url(plan, f"/{skipped.id}/skip"), {})):
        refused = alex.post(url, data=data)
        assert refused.status_code == 409 and "can no longer be changed" in refused.text
        if data:
            assert t("sneaky") in refused.text and "What you typed (not saved)" in refused.text
    assert items(plan)[-1].what == "cinema"
    assert [r.action for r in rows("plan_item.create")] == ["plan_item.create"] * 2
    actions = [r.action for r in db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "plan_items").order_by(AuditEvent.id))]
    assert actions == ["plan_item.create", "plan_item.update", "plan_item.done",
                       "plan_item.done", "plan_item.reflect", "plan_item.create",
                       "plan_item.skip"]
    # sent back for revision, it stays so: an item is not a submission
    assert fresh(type(plan), plan.id).status == "revision_requested"


def test_the_first_item_starts_the_work(app, world):
    new = plans_world.assignment(world["alex"], "plan", world["couple"])
    db.session.commit()
    alex = browser(app, world, "alex")
    alex.post(plan_url(new), data={"what": "tea", "planned_on": day(new)})
    db.session.expire_all()
    assert fresh(type(new), new.id).status == "in_progress"


@pytest.mark.parametrize(("data", "message"), [
    ({"what": "", "planned_on": "2099-01-01"}, "Say what you plan to do together."),
    ({"what": "KEEPME", "planned_on": ""}, "Enter the day"),
    ({"what": "KEEPME", "planned_on": "someday"}, "Not a valid date"),
    ({"what": "KEEPME" + "x" * 500, "planned_on": "2099-01-01"}, "Keep what you plan to 500"),
    ({"what": "KEEPME", "planned_on": "2099-01-01", "at_time": "x" * 41}, "Keep the time"),
    ({"what": "KEEPME", "planned_on": "2099-01-01", "place": "y" * 201}, "Keep the place"),
    ({"what": "KEEPME\x00", "planned_on": "2099-01-01"}, "control character"),
    ({"what": "KEEPME", "planned_on": "2099-01-01", "place": "\x07"}, "control character"),
])
def test_a_refused_item_keeps_everything_typed(app, world, data, message):
    plan, alex = world["plan"], browser(app, world, "alex")
    before = len(items(plan))
    data = {"at_time": "TIMEKEPT", "place": "PLACEKEPT"} | data
    refused = alex.post(plan_url(plan), data=data)
    assert refused.status_code == 422
    assert message in refused.text
    assert 'role="alert"' in refused.text and 'aria-invalid="true"' in refused.text
    if data["what"].startswith("KEEPME") and "\x00" not in data["what"]:
        assert data["what"] in refused.text
    for kept in ("TIMEKEPT", "PLACEKEPT"):
        if kept in data.values():
            assert kept in refused.text
    assert len(items(plan)) == before
    # the page around it is the whole work page, audited as a view
    assert t("plannote") in refused.text and rows("assignment.view")


def test_an_item_before_the_plan_was_given_is_refused_in_the_clients_own_day(app, world):
    plan, alex = world["plan"], browser(app, world, "alex")
    given = plan.created_at.astimezone(checkins.client_zone(plan.client)).date()
    before = (given - timedelta(days=1)).isoformat()
    refused = alex.post(plan_url(plan), data={"what": "KEEPWHAT", "planned_on": before,
                                              "place": "KEEPPLACE"})
    assert refused.status_code == 422
    assert f"before this plan was given ({given:%d %b %Y})" in refused.text
    assert "KEEPWHAT" in refused.text and "KEEPPLACE" in refused.text
    walk = world["walk"]
    edit = alex.post(plan_url(plan, f"/{walk.id}"), data={
        "what": "KEEPEDIT", "planned_on": before})
    assert edit.status_code == 422 and "KEEPEDIT" in edit.text and "<details class=\"edit" \
        "-record\" open>" in edit.text
    assert fresh(PlanItem, walk.id).what == t("walk")
    ok = alex.post(plan_url(plan), data={"what": "same day", "planned_on": given.isoformat()})
    assert ok.status_code == 302


def test_the_day_given_is_the_clients_local_day(app, world):
    """Given at 23:30 UTC to a client in Tokyo: their day was already the next one."""
    from datetime import datetime

    from counsel.records import plan as plans

    work = world["plan"]
    work.client.time_zone = "Asia/Tokyo"
    work.created_at = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert str(plans.given_on(work)) == "2026-03-02"
    assert plans.date_problem(work, datetime(2026, 3, 1).date())
    assert plans.date_problem(work, datetime(2026, 3, 2).date()) is None
    work.client.time_zone = "America/Los_Angeles"
    assert str(plans.given_on(work)) == "2026-03-01"
    db.session.rollback()


def test_items_of_another_assignment_are_not_found(app, world):
    plan, alex = world["plan"], browser(app, world, "alex")
    for other in (world["casey_item"], world["sam_plan"]):
        other_id = other.id if isinstance(other, PlanItem) else items(other)[0].id
        for rest in ("", "/done", "/skip"):
            response = alex.post(plan_url(plan, f"/{other_id}{rest}"),
                                 data={"what": "x",
                                       "planned_on": day(plan)})
            assert response.status_code == 404
    # a journal's id through the plan's routes, and the plan's through the journal's
    assert alex.post(plan_url(world["journal"]), data={"what": "x", "planned_on": day(plan)}
                     ).status_code == 404
    assert alex.post(journal_url(plan), data={"memory": "x", "remembered_on": day(plan)}
                     ).status_code == 404
    assert items(world["casey_plan"])[0].what == t("caseyitem")


def test_closed_work_refuses_changes_with_a_message_and_the_text_kept(app, world):
    plan, alex = world["plan"], browser(app, world, "alex")
    plan._status = "withdrawn"
    db.session.commit()
    page = alex.get(f"/my/assignments/{plan.id}").text
    assert "Add to the plan" not in page and t("walk") in page
    refused = alex.post(plan_url(plan), data={"what": "KEEPCLOSED", "planned_on": day(plan)})
    assert refused.status_code == 409 and "withdrew this exercise" in refused.text
    assert "KEEPCLOSED" in refused.text and "What you typed (not saved)" in refused.text
    assert len(items(plan)) == 2


# --- the journal -------------------------------------------------------------------------

def test_journal_entries_are_added_changed_and_listed_by_date(app, world):
    journal, alex = world["journal"], browser(app, world, "alex")
    page = alex.get(f"/my/assignments/{journal.id}").text
    for words in ("When was it?", "The memory", "What it meant then", "What it means now",
                  "Add to the journal", t("memory"), t("then"), t("now"), t("memory2")):
        assert words in page, words
    assert page.index(t("memory")) < page.index(t("memory2"))  # older first
    added = alex.post(journal_url(journal), data={
        "remembered_on": day(journal), "memory": t("today"), "meant_then": "",
        "means_now": t("todaynow")}, follow_redirects=True)
    assert "Added to the journal." in added.text and t("today") in added.text
    new = entries(journal)[-1]
    assert (new.memory, new.meant_then, new.means_now) == (t("today"), None, t("todaynow"))
    changed = alex.post(journal_url(journal, f"/{new.id}"), data={
        "remembered_on": day(journal, -3650),
        "memory": t("older"), "meant_then": t("olderthen")},
        follow_redirects=True)
    assert "saved" in changed.text
    new = entries(journal)[-1]
    assert (new.memory, new.meant_then, new.means_now) == (t("older"), t("olderthen"), None)
    assert changed.text.index(t("older")) < changed.text.index(t("memory"))
    assert [r.action for r in db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "journal_entries").order_by(AuditEvent.id))] == [
        "journal_entry.create", "journal_entry.update"]


@pytest.mark.parametrize(("data", "message"), [
    ({"memory": "", "remembered_on": "2001-01-01"}, "Write the memory itself."),
    ({"memory": "KEEPME", "remembered_on": ""}, "Enter the day of the memory"),
    ({"memory": "KEEPME", "remembered_on": "tomorrow"}, "Not a valid date"),
    ({"memory": "KEEPME", "remembered_on": "2999-01-01"}, "That day has not come yet"),
    ({"memory": "KEEPME" + "x" * 5000, "remembered_on": "2001-01-01"}, "Keep the memory to"),
    ({"memory": "KEEPME", "remembered_on": "2001-01-01", "means_now": "n" * 5001},
     "Keep what it means now to"),
    ({"memory": "KEEPME\x00", "remembered_on": "2001-01-01"}, "control character"),
])
def test_a_refused_entry_keeps_everything_typed(app, world, data, message):
    journal, alex = world["journal"], browser(app, world, "alex")
    data = {"meant_then": "THENKEPT"} | data
    refused = alex.post(journal_url(journal), data=data)
    assert refused.status_code == 422 and message in refused.text
    assert "THENKEPT" in refused.text and 'role="alert"' in refused.text
    if data["memory"].startswith("KEEPME") and "\x00" not in data["memory"]:
        assert data["memory"] in refused.text
    assert len(entries(journal)) == 2


def test_tomorrow_in_the_clients_day_is_the_future(app, world):
    journal, alex = world["journal"], browser(app, world, "alex")
    refused = alex.post(journal_url(journal), data={"memory": "m", "remembered_on":
                                                    day(journal, 1)})
    assert refused.status_code == 422 and "has not come yet" in refused.text
    first = world["entry"]
    edit = alex.post(journal_url(journal, f"/{first.id}"), data={
        "memory": "KEEPEDIT", "remembered_on":
        day(journal, 1)})
    assert edit.status_code == 422 and "KEEPEDIT" in edit.text
    assert entries(journal)[0].memory == t("memory")


def test_entries_of_another_journal_are_not_found(app, world):
    journal, alex = world["journal"], browser(app, world, "alex")
    other = world["sam_entry"].id
    assert alex.post(journal_url(journal, f"/{other}"), data={
        "memory": "x", "remembered_on": "2001-01-01"}
    ).status_code == 404
    assert alex.post(journal_url(world["sam_journal"]), data={
        "memory": "x", "remembered_on": "2001-01-01"}).status_code == 404
    assert entries(world["sam_journal"])[0].memory == t("samentry")


# --- the counselor's pages -----------------------------------------------------------------

def test_the_counselor_reads_the_plan_and_the_journal(app, world):
    counselor = browser(app, world, "counselor")
    page = counselor.get(f"/assignments/{world['plan'].id}").text
    for words in ("The plan", t("walk"), t("park"), "7pm", t("dinner"), t("howwent"),
                  "Planned", "Done"):
        assert words in page, words
    assert "Add to the plan" not in page and "<form method=\"post\" action=\"/my/" not in page
    review = counselor.get(f"/assignments/{world['plan'].id}/revisions/1").text
    assert t("howwent") in review and t("walk") in review
    journal = counselor.get(f"/assignments/{world['journal'].id}").text
    for words in ("The memory journal", t("memory"), t("then"), t("now"), t("memory2")):
        assert words in journal, words
    assert "Add to the journal" not in journal
    other = browser(app, world, "other_counselor")
    for work in ("plan", "journal"):
        response = other.get(f"/assignments/{world[work].id}")
        assert response.status_code == 404 and t("walk") not in response.text


def test_history_reads_the_changes_in_plain_words(app, world):
    plan, journal, alex = world["plan"], world["journal"], browser(app, world, "alex")
    alex.post(plan_url(plan), data={"what": "x", "planned_on": day(plan)})
    alex.post(plan_url(plan, f"/{world['walk'].id}/done"))
    alex.post(journal_url(journal), data={"memory": "y", "remembered_on": day(journal)})
    for r in db.session.scalars(select(AuditEvent)):
        assert "plain" not in (r.detail or "")
    history = alex.get("/my/access").text
    for words in (f"added an item of “{t('plan')}”", f"marked an item of “{t('plan')}” done",
                  f"added a memory in “{t('journaltitle')}”"):
        assert words in history, words


def test_a_signed_out_change_is_handed_back_under_the_forms_labels(app, world):
    """Each item's form has the field names of the add form (its ids are its own), so the
    page that hands text back labels it as the form did."""
    import re

    signed_out = app.test_client()
    walk = world["walk"]
    response = signed_out.post(plan_url(world["plan"], f"/{walk.id}"), data={
        "what": "A long walk by the river", "place": "The river path"})
    assert response.status_code == 401
    labels = [re.sub(r"\s+", " ", label).strip() for label in
              re.findall(r'<label for="rescued-\d+">(.*?)</label>', response.text, re.S)]
    assert labels == ["What", "Where (optional)"]
    response = signed_out.post(journal_url(world["journal"], f"/{world['entry'].id}"),
                               data={"memory": "The day we met", "means_now": "Hope"})
    assert "The day we met" in response.text and "The memory" in response.text


def test_a_locked_stage_shows_the_records_but_refuses_changes(app, world):
    """The journal's stage locked by the counselor: the memories show, the forms do not,
    and a post from an older page is refused with its text kept."""
    from counsel.models.progress import StageSetting

    journal, alex = world["journal"], browser(app, world, "alex")
    db.session.add(StageSetting(client_id=world["alex"].id, stage=journal.stage,
                                updated_by_id=world["counselor"].id))
    db.session.commit()
    page = alex.get(f"/my/assignments/{journal.id}").text
    assert t("memory") in page and "Add to the journal" not in page
    refused = alex.post(journal_url(journal), data={"memory": "KEEPLOCKED",
                                                    "remembered_on": day(journal)})
    assert refused.status_code == 409 and "has not opened yet" in refused.text
    assert "KEEPLOCKED" in refused.text and "What you typed (not saved)" in refused.text
    assert len(entries(journal)) == 2


# --- bounded: a work page shows every record with its forms --------------------------------

def test_a_full_plan_or_journal_refuses_one_more_and_keeps_what_was_typed(app, world):
    from counsel.records import journal, plan

    work, memories = world["plan"], world["journal"]
    for n in range(plan.MOST_ITEMS - len(items(work))):
        plans_world.item(work, f"item {n}")
    for n in range(journal.MOST_ENTRIES - len(entries(memories))):
        plans_world.entry(memories, f"memory {n}")
    db.session.commit()
    alex = browser(app, world, "alex")
    refused = alex.post(plan_url(work), data={"what": "ONE MORE WALK",
                                              "planned_on": day(work, 2)})
    assert refused.status_code == 422 and "holds up to 50 items" in refused.text
    assert "ONE MORE WALK" in refused.text
    refused = alex.post(journal_url(memories), data={"memory": "ONE MORE MEMORY",
                                                     "remembered_on": day(memories, -3)})
    assert refused.status_code == 422 and "holds up to 60 memories" in refused.text
    assert "ONE MORE MEMORY" in refused.text
    assert len(items(work)) == plan.MOST_ITEMS
    assert len(entries(memories)) == journal.MOST_ENTRIES
