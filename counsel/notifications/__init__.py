"""Email notifications (issue: nobody is ever told anything), without clinical content.

- ``kinds``: every kind of message, in one list.
- ``outbox``: ``queue()`` adds a message to the transaction that causes it.
- ``delivery``: sends the outbox after commit (SMTP, or .eml files in instance/outbox/
  without SMTP), retries with backoff; ``flask --app counsel send-mail``; the RQ job.
- ``reminders``: ``flask --app counsel remind`` (due work, sessions, the daily digest).
- ``views``: each person's choices, one-click unsubscribe, a client's email safety.
"""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from . import outbox, views  # noqa: E402,F401  (outbox: its commit hooks)
