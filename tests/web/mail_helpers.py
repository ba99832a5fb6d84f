"""Delivering the outbox in the message tests: a small stand-in that sends each queued row
over SMTP (text, HTML and the .ics) to the configured server, until the tests use
``notifications.delivery.deliver_due``."""

import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import OutboxMessage, utcnow


def build(row: OutboxMessage) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    message.set_content(row.text_body)
    message.add_alternative(row.html_body, subtype="html")
    if row.ics:
        message.add_attachment(row.ics.encode(), maintype="text", subtype="calendar",
                               filename="appointment.ics")
    return message


def deliver_outbox() -> int:
    """Send every queued message once; returns how many were sent."""
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "queued")
                              .order_by(OutboxMessage.id)).all()
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=5) as smtp:
        for row in rows:
            smtp.send_message(build(row))
            row.status, row.sent_at = "sent", utcnow()
    db.session.commit()
    return len(rows)
