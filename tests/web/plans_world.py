"""Quality-time plans and memory journals on top of the couple's world (couple.py): alex has
a plan and a journal in the couple's case (given three days ago, with a note from the
counselor and a submitted text answer with the counselor's comments), sam has a plan and a
journal of their own, casey (no partner) has a plan. Every typed field has its own words
(``couple.plain(tag)``), so a test can say which one leaked."""

from datetime import timedelta

from counsel import checkins
from counsel.assignments import operations
from counsel.extensions import db
from counsel.models import JournalEntry, PlanItem, utcnow

from .. import factories
from . import couple

plain = couple.plain


def assignment(client, kind, case, *, days_ago=3, title=None, note=None):
    exercise = factories.ExerciseFactory(
        owner=client.counselor, kind=kind, stage="reconnection", title=title or plain(kind),
        prompts=[factories.ExercisePrompt(position=0, text=plain(f"{kind}prompt"))])
    work = factories.AssignmentFactory(client=client, exercise=exercise, case=case, note=note,
                                       created_at=utcnow() - timedelta(days=days_ago))
    db.session.flush()
    return work


def item(work, what, *, days=1, status="planned", reflection=None, place=None, at_time=None):
    made = PlanItem(assignment=work, what=what, status=status, reflection=reflection,
                    planned_on=checkins.client_today(work.client) + timedelta(days=days),
                    place=place, at_time=at_time)
    db.session.add(made)
    db.session.flush()
    return made


def entry(work, memory, *, days_ago=400, then=None, now=None):
    made = JournalEntry(assignment=work, memory=memory, meant_then=then, means_now=now,
                        remembered_on=checkins.client_today(work.client)
                        - timedelta(days=days_ago))
    db.session.add(made)
    db.session.flush()
    return made


def build(people) -> dict:
    world = couple.build(people)
    alex, sam, casey = world["alex"], world["sam"], world["casey"]
    case = world["couple"]
    plan = assignment(alex, "plan", case, note=plain("plannote"))
    journal = assignment(alex, "journal", case, title=plain("journaltitle"),
                         note=plain("journalnote"))
    walk = item(plan, plain("walk"), place=plain("park"), at_time="7pm")
    dinner = item(plan, plain("dinner"), days=-1, status="done", reflection=plain("howwent"))
    first = entry(journal, plain("memory"), then=plain("then"), now=plain("now"))
    second = entry(journal, plain("memory2"), days_ago=30)
    sam_plan = assignment(sam, "plan", case, title=plain("samplantitle"))
    item(sam_plan, plain("samitem"))
    sam_journal = assignment(sam, "journal", case, title=plain("samjournaltitle"))
    sam_entry = entry(sam_journal, plain("samentry"))
    casey_plan = assignment(casey, "plan", world["casey_case"], title=plain("caseyplan"))
    casey_item = item(casey_plan, plain("caseyitem"))
    # The plan's text answer, submitted and sent back with comments (so the plan is open
    # again): never shared with sam.
    db.session.commit()
    revision = operations.submit(alex.user, plan, [plain("plananswer")], None)
    operations.add_comment(alex.counselor, revision, prompt_index=0, quote=plain("plananswer"),
                           start=None, body=plain("plancomment"))
    operations.send_review(alex.counselor, revision, decision="request_revision",
                           overall_comment=plain("planoverall"), rubric=None)
    db.session.commit()
    return world | {"plan": plan, "journal": journal, "walk": walk, "dinner": dinner,
                    "entry": first, "entry2": second, "sam_plan": sam_plan,
                    "sam_journal": sam_journal, "sam_entry": sam_entry,
                    "casey_plan": casey_plan, "casey_item": casey_item,
                    "plan_revision": revision}


def practice(client, couple_case_id: int, n: int) -> dict:
    """For the query-count practice (test_query_counts.practice): the client's plan and
    journal with ``n`` items and ``n`` memories each (some items done, some skipped), and
    the other partner's plan and journal, alike, both shared with the client. Returns the
    ids the pages need."""
    from counsel.models import Case, Share

    case = db.session.get(Case, couple_case_id)
    partner = next(m.client for m in case.members if m.client_id != client.id)
    made = {}
    for who, key in ((client, "own"), (partner, "partners")):
        plan = assignment(who, "plan", case, days_ago=n + 1, title=f"Plan {key}")
        journal = assignment(who, "journal", case, title=f"Journal {key}")
        for i in range(n):
            item(plan, f"item {i}", days=i - n, status=("planned", "done", "skipped")[i % 3],
                 reflection="fine" if i % 3 == 1 else None, place="home")
            first = entry(journal, f"memory {i}", days_ago=i + 1, then="then", now="now")
        made[key] = (plan, journal, first)
    plan, journal, first = made["partners"]
    shares = [Share(case_id=case.id, author_id=partner.id, recipient_id=client.id, plan_id=plan.id),
              Share(case_id=case.id, author_id=partner.id, recipient_id=client.id,
                    journal_entry_id=first.id)]
    db.session.add_all(shares)
    db.session.commit()
    plan, journal, first = made["own"]
    return {"plan": plan.id, "journal": journal.id, "memory": first.id,
            "shared_plan": shares[0].id, "shared_memory": shares[1].id}
