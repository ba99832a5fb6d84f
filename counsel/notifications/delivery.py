"""Sending the outbox: ``deliver_due()`` delivers every message that is due, through the
mail server (or as .eml files without one), and retries with backoff what could not go.

Who runs it: ``flask --app counsel send-mail`` (from cron, every minute), and after each
commit that queued mail, ``kick()``: the RQ worker when ``REDIS_URL`` is set, else a
background thread of the web process (see ``background``).

Exactly once, with any number of senders at once: a message is claimed by a conditional
UPDATE (``WHERE id = :id AND`` it is still due) that only one sender's can match, and the
claim is committed before the mail server is spoken to, so no transaction or lock is held
across the network. A sender that dies mid-message leaves its claim behind; another takes
it over once it is ``STALE`` (the message may then go twice: the Message-ID is the same, so
the receiving server can drop the repeat).

Outcomes: sent (bodies cleared: the outbox is not an archive, and invitation and reset
links are credentials); a temporary failure (down, slow, 4xx) waits 1, 2, 4... minutes (at
most 6 hours, with a little jitter) for its next attempt, and after ``MAIL_MAX_ATTEMPTS``
fails for good; a permanent failure (a refused address, a header that would hold a line
break) fails at once, and so does a message the person would no longer get (they turned
email off, gave a safe address or turned the kind off while it waited). ``last_error``
holds the error's type and the server's reply code, never an address or a body. A mistake
in the practice's own settings (MAIL_FROM, MAIL_SECURITY) or a database that cannot be
reached stops the run and spends no message's attempts."""

from __future__ import annotations

import contextlib
import logging
import os
import random
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta

import click
from flask import Flask, current_app
from sqlalchemy import and_, or_, select, update

from ..extensions import db
from ..models import OutboxMessage, utcnow
from . import kinds, outbox, tokens, transport

logger = logging.getLogger("counsel.mail")

# A claim older than this was left by a sender that stopped mid-message. A message takes
# seconds (MAIL_TIMEOUT_SECONDS bounds each step), and each is claimed just before it goes.
STALE = timedelta(minutes=10)
PAGE = 100
CHANGED = "Not sent: the person's address or email choices changed after it was queued"
LONGEST_WAIT = timedelta(hours=6)


@dataclass
class Counts:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    # Why the run stopped early without sending (the database could not be reached...).
    problem: str | None = None

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retry} to retry later, {self.failed} failed"


def deliver_due(app: Flask | None = None) -> Counts:
    """Deliver every message that is due, and say how many went, wait or failed. Never
    raises. With ``app``, runs in an app context (and database session) of its own, as the
    background thread and the RQ job do; without, in the current one, whose session it
    commits: call it outside any transaction of yours."""
    if app is not None:
        with app.app_context():
            try:
                return deliver_due()
            finally:
                db.session.remove()
    counts = Counts()
    sender = None
    try:
        # The practice's sender address is checked once: a mistake in it is the
        # practice's to fix, and must not fail every message.
        envelope_from = transport.sender_address(current_app.config["MAIL_FROM"])
        sender = transport.for_app(current_app)
        run = _Run(sender, envelope_from, counts)
        run.deliver()
    except transport.Permanent as error:
        counts.problem = str(error)
        logger.error("Delivering email stopped: %s", counts.problem)
    except Exception as error:  # the database went away mid-run; the next run goes on
        _forget()
        counts.problem = type(error).__name__
        logger.error("Delivering email stopped: %s", counts.problem)
    finally:
        if sender is not None:
            sender.close()
    if counts.sent or counts.retry or counts.failed:
        logger.info("Email: %s.", counts)
    return counts


def _due(now):
    return or_(and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
               and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - STALE))


class _Run:
    def __init__(self, sender, envelope_from: str, counts: Counts):
        self.sender, self.envelope_from, self.counts = sender, envelope_from, counts
        self.name = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.limit = current_app.config["MAIL_MAX_ATTEMPTS"]

    def deliver(self) -> None:
        seen: set[int] = set()
        while True:
            ids = [i for i in db.session.scalars(
                select(OutboxMessage.id).where(_due(utcnow()))
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(PAGE))
                if i not in seen]
            db.session.commit()  # no transaction left open while the mail server is busy
            if not ids:
                return
            for message_id in ids:
                seen.add(message_id)
                if self.claim(message_id) and not self.send(message_id):
                    return

    def claim(self, message_id: int) -> bool:
        """Take one message for this run; False when another sender was first. The check
        and the change are one UPDATE: on PostgreSQL a second sender's waits for the
        first's commit, then finds the message no longer due; SQLite has one writer at a
        time."""
        now = utcnow()
        claimed = db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id, _due(now))
            .values(status="sending", claimed_at=now, claimed_by=self.name,
                    attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)).rowcount == 1
        db.session.commit()
        return claimed

    def send(self, message_id: int) -> bool:
        """Deliver one claimed message and record what happened. False: stop this run."""
        row = db.session.get(OutboxMessage, message_id, populate_existing=True)
        if row is None:
            return True
        if row.attempts > self.limit:  # a sender stopped mid-message on its last attempt
            self.finish(row, "failed", "Given up: the sender stopped while sending it")
            return True
        if not _still_wanted(row):
            self.finish(row, "failed", CHANGED)
            return True
        try:
            message = transport.build(row, mail_from=current_app.config["MAIL_FROM"],
                                      unsubscribe_url=_unsubscribe_url(row))
            to = transport.recipient(row)
            db.session.commit()  # end the read before the network
            self.sender.send(message, self.envelope_from, to, row)
        except transport.Permanent as error:
            self.finish(row, "failed", str(error))
            return True
        except transport.Temporary as error:
            self.retry(row, str(error))
            return not error.stop
        except Exception as error:  # not foreseen: try again later, as for a busy server
            self.sender.close()
            _forget()
            self.retry(db.session.get(OutboxMessage, message_id),
                       f"Unexpected {type(error).__name__}")
            return True
        self.finish(row, "sent", None)
        return True

    def retry(self, row, error: str) -> None:
        if row.attempts >= self.limit:
            self.finish(row, "failed", f"{error} (given up after {row.attempts} attempts)")
            return
        wait = min(timedelta(minutes=2 ** (row.attempts - 1)), LONGEST_WAIT)
        wait *= random.uniform(1.0, 1.1)
        logger.warning("Email %s (%s) not sent: %s; trying again in %d minutes.",
                       row.id, row.kind, error, wait.total_seconds() // 60)
        if self.record(row, status="queued", next_attempt_at=utcnow() + wait,
                       last_error=error[:200]):
            self.counts.retry += 1

    def finish(self, row, status: str, error: str | None) -> None:
        if status == "failed":
            logger.warning("Email %s (%s) failed: %s", row.id, row.kind, error)
        # Delivered or given up, the bodies go: reset and invitation links are credentials.
        if self.record(row, status=status, last_error=error and error[:200],
                       sent_at=utcnow() if status == "sent" else None,
                       text_body=None, html_body=None, ics=None):
            if status == "sent":
                self.counts.sent += 1
            else:
                self.counts.failed += 1

    def record(self, row, **values) -> bool:
        """Store an outcome, unless another sender took the claim over meanwhile."""
        message_id = row.id
        _forget()
        done = db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id,
                                        OutboxMessage.status == "sending",
                                        OutboxMessage.claimed_by == self.name)
            .values(**values).execution_options(synchronize_session=False)).rowcount == 1
        db.session.commit()
        if not done:
            logger.warning("Email %s: another sender took it over before its outcome was "
                           "stored.", message_id)
        return done


def _still_wanted(row: OutboxMessage) -> bool:
    """Whether the person would still get this message, were it queued now. A client who
    turns email off for their safety (or names a safe address), or anyone who turns the
    kind off, may do so while a message waits for the next attempt: it must not go."""
    if outbox.address_for(row.user) != row.to_address:
        return False
    kind = kinds.BY_NAME.get(row.kind)
    return kind is None or outbox.setting(kind, row.user) == "on"


def _unsubscribe_url(row: OutboxMessage) -> str | None:
    kind = kinds.BY_NAME.get(row.kind)
    if kind is None or not kind.optional:
        return None
    return tokens.unsubscribe_url(row.user, kind)


def _forget() -> None:
    with contextlib.suppress(Exception):  # a dead connection: the pool replaces it
        db.session.rollback()


@click.command("send-mail")
def send_mail():
    """Deliver the email that is due (from cron every minute; safe to run twice at once)."""
    counts = deliver_due()
    click.echo(f"Email: {counts}.")
    if counts.problem:
        raise click.ClickException(f"Delivering stopped early ({counts.problem}); what was "
                                   "not sent stays in the outbox for the next run.")


def kick(app: Flask) -> None:
    """Ask for the outbox to be delivered soon, without blocking or failing the caller:
    an RQ job when ``REDIS_URL`` is set, else this process's delivery thread, unless
    ``MAIL_AFTER_COMMIT`` is "none" (then only ``send-mail`` delivers)."""
    from . import background

    background.kick(app)
