"""Quality-time plans, memory journals and commitments for the page benchmark (issue 11):
in the year's couple case, each partner has a plan with ``n`` items, a journal with ``n``
memories, and ``n`` // 3 commitments with ``n`` follow-ups each; the other partner shares
their plan and a memory with the "partner" who signs in. Kept if they exist (a
reused database). Used by bench/practice.py."""

from datetime import timedelta

from sqlalchemy import select

from counsel.extensions import db
from counsel.models import (
    Assignment,
    Case,
    Client,
    Commitment,
    CommitmentFollowUp,
    Exercise,
    JournalEntry,
    PlanItem,
    Share,
    User,
    utcnow,
)


def _work(client, case, exercise, n):
    work = db.session.scalars(select(Assignment).where(
        Assignment.client_id == client.id, Assignment.kind == exercise.kind,
        Assignment.title == f"Bench {exercise.title}")).first()
    if work is not None:
        return work
    work = Assignment(client=client, counselor_id=client.counselor_id, exercise=exercise,
                      title=f"Bench {exercise.title}", stage=exercise.stage,
                      kind=exercise.kind, purpose=exercise.purpose,
                      instructions=exercise.instructions, prompts=exercise.prompt_texts,
                      case_id=case.id, _status="in_progress",
                      created_at=utcnow() - timedelta(days=n + 1))
    db.session.add(work)
    today = utcnow().date()
    for i in range(n):
        if exercise.kind == "plan":
            db.session.add(PlanItem(assignment=work, what=f"Something together, {i}",
                                    planned_on=today - timedelta(days=n - i), place="Home",
                                    status=("planned", "done", "skipped")[i % 3],
                                    reflection="It went well." if i % 3 == 1 else None))
        elif exercise.kind == "commitment" and i < n // 3:
            commitment = Commitment(assignment=work, text=f"A change, {i}",
                                    starts_on=today - timedelta(days=7 * n))
            db.session.add(commitment)
            db.session.add_all(CommitmentFollowUp(
                commitment=commitment, taken_on=today - timedelta(days=7 * (n - day)),
                outcome=("kept", "partly", "not_yet")[day % 3]) for day in range(n))
        elif exercise.kind == "journal":
            db.session.add(JournalEntry(assignment=work, memory=f"A memory, {i}",
                                        remembered_on=today - timedelta(days=30 * (i + 1)),
                                        meant_then="Then.", means_now="Now."))
    db.session.flush()
    return work


def plans_and_journals(case_id: int, partner_email: str, n: int = 30) -> dict:
    case = db.session.get(Case, case_id)
    partner = db.session.scalars(select(Client).join(Client.user)
                                 .where(User.email == partner_email)).one()
    other = next(m.client for m in case.members if m.client_id != partner.id)
    made = {}
    for kind in ("plan", "journal", "commitment"):
        exercise = db.session.scalars(select(Exercise).where(Exercise.kind == kind)
                                      .order_by(Exercise.id)).first()
        made[kind] = [_work(who, case, exercise, n) for who in (partner, other)]
    first = db.session.scalars(select(JournalEntry).where(
        JournalEntry.assignment_id == made["journal"][1].id).order_by(JournalEntry.id)).first()
    shares = []
    for column, value in (("plan_id", made["plan"][1].id), ("journal_entry_id", first.id)):
        share = db.session.scalars(select(Share).where(
            getattr(Share, column) == value, Share.withdrawn_at.is_(None))).first()
        if share is None:
            share = Share(case_id=case.id, author_id=other.id, recipient_id=partner.id,
                          **{column: value})
            db.session.add(share)
            db.session.flush()
        shares.append(share.id)
    memory = db.session.scalars(select(JournalEntry.id).where(
        JournalEntry.assignment_id == made["journal"][0].id).limit(1)).first()
    db.session.commit()
    return {"plan_id": made["plan"][0].id, "journal_id": made["journal"][0].id,
            "commitment_id": made["commitment"][0].id,
            "memory_id": memory, "shared_plan_id": shares[0], "shared_memory_id": shares[1]}
