"""The demo's progress (issue 11, item 9): what ``flask demo`` builds for the check-ins, the
no-contact tracker, commitments, a plan and a journal, what the pages then show, and that a
second run adds nothing."""

from datetime import timedelta

from sqlalchemy import func, select

from counsel import checkins
from counsel.extensions import db
from counsel.models import (
    Assignment,
    CheckIn,
    Commitment,
    CommitmentFollowUp,
    JournalEntry,
    PlanItem,
    TrackerDay,
    User,
)
from counsel.records import tracker as trackers

COUNTED = (CheckIn, TrackerDay, Commitment, CommitmentFollowUp, PlanItem, JournalEntry)


def _demo(runner):
    result = runner.invoke(args=["demo", "--password", "demo password 123"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()


def _user(email) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def _work(user, kind) -> Assignment:
    return db.session.scalars(select(Assignment).where(
        Assignment.client_id == user.client.id, Assignment.kind == kind,
        Assignment._status != "withdrawn")).one()


def test_the_demo_tells_a_story_of_progress(app, runner):
    _demo(runner)
    alex, sam = _user("alex@example.com"), _user("sam@example.com")
    for user in (alex, sam):
        overview = checkins.overview(user.client)
        assert len(overview.checkins) == 8
        days = [c.taken_on for c in overview.checkins]
        assert all(b - a == timedelta(days=7) for a, b in zip(days, days[1:], strict=False))
    assert checkins.overview(alex.client).due.state == "upcoming"
    assert checkins.overview(sam.client).due.state == "missed"

    tracker = trackers.load(_work(alex, "tracker"))
    today = checkins.client_today(alex.client)
    summary = trackers.summary(tracker, today)
    assert today - tracker.starts_on == timedelta(days=19), "twenty days in"
    assert summary.counts["broke"] == 1 and summary.missing_days == [
        tracker.starts_on + timedelta(days=8)]
    assert summary.due_today and summary.current_streak == 4
    broken = next(d for d in tracker.days if d.outcome == "broke")
    assert broken.reflection and today - broken.day == timedelta(days=5)
    assert not any(d.late for d in tracker.days)

    commitments = _work(alex, "commitment")
    made = db.session.scalars(select(Commitment).where(
        Commitment.assignment_id == commitments.id)).all()
    assert len(made) == 2 and all(len(c.follow_ups) == 3 for c in made)
    plan = db.session.scalars(select(PlanItem).where(
        PlanItem.assignment_id == _work(sam, "plan").id)).all()
    assert sorted(i.status for i in plan) == ["done", "planned", "skipped"]
    assert db.session.scalar(select(func.count()).select_from(JournalEntry).where(
        JournalEntry.assignment_id == _work(sam, "journal").id)) == 2


def test_the_pages_show_the_demo(app, runner, client, auth):
    _demo(runner)
    alex = _user("alex@example.com")
    auth.login(_user("counselor@example.com"), "demo password 123")
    dashboard = client.get("/dashboard/").text
    assert "Broken no-contact days" in dashboard and alex.name in dashboard
    pathway = client.get(f"/clients/{alex.client.id}/pathway").text
    assert "streak 4 days · 1 broken" in pathway
    auth.logout()
    auth.login(alex, "demo password 123")
    page = client.get(f"/my/assignments/{_work(alex, 'tracker').id}").text
    assert "I sent a message; I knew I shouldn" in page and "Save today" in page


def test_a_second_run_adds_nothing(app, runner):
    _demo(runner)
    counts = [db.session.scalar(select(func.count()).select_from(m)) for m in COUNTED]
    assert all(counts)
    _demo(runner)
    assert [db.session.scalar(select(func.count()).select_from(m)) for m in COUNTED] == counts
