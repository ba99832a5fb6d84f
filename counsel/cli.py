"""``flask --app counsel ...`` commands."""

import os
import secrets

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from . import audit, backup, config
from .assignments.demo import add_demo_work
from .auth.passwords import hash_password, password_problem
from .demo_cases import add_demo_cases
from .demo_progress import add_demo_progress
from .extensions import db
from .library.loader import sync_library
from .models import Client, OutboxMessage, User
from .notifications.delivery import send_mail
from .notifications.reminders import remind_command
from .reports.cli import report_command
from .reports.demo import add_demo_report
from .reports.jobs import worker_command


@click.command("create-user")
@click.option("--role", type=click.Choice(["counselor", "admin"]), required=True)
@click.option("--email", required=True)
@click.option("--name", default=None, help="Display name (defaults to the email's first part).")
@click.password_option(prompt="Password (12-128 characters)")
def create_user(role, email, name, password):
    """Create a counselor or admin account."""
    email = email.strip().lower()
    if db.session.scalars(select(User).where(User.email == email)).first():
        raise click.ClickException(f"{email} already has an account.")
    problem = password_problem(password, email=email, name=name or "")
    if problem:
        raise click.ClickException(problem)
    db.session.add(User(email=email, name=name or email.split("@")[0], role=role,
                        password_hash=hash_password(password)))
    db.session.commit()
    click.echo(f"Created {role} {email}.")


DEMO_PEOPLE = [
    # (email, name, role, counselor email for clients)
    ("admin@example.com", "Practice Admin", "admin", None),
    ("counselor@example.com", "Dr. Rivka Moreno", "counselor", None),
    ("other@example.com", "Dr. Tomás Lindqvist", "counselor", None),
    ("alex@example.com", "Alex Rivera", "client", "counselor@example.com"),
    ("sam@example.com", "Sam Okafor", "client", "counselor@example.com"),
    ("jordan@example.com", "Jordan Lee", "client", "other@example.com"),
]


@click.command("sync-library")
def sync_library_command():
    """Load or update the guide's exercise library from counsel/guide/*.toml."""
    counts = sync_library()
    db.session.commit()
    click.echo("Exercise library: " + ", ".join(f"{n} {what}" for what, n in counts.items()))


def _generated_password() -> str:
    """16 random URL-safe characters; drawn again in the (vanishingly rare) case that
    zxcvbn finds a pattern in them, so the demo never refuses its own password."""
    while password_problem(password := secrets.token_urlsafe(12)):
        pass
    return password


@click.command("demo")
@click.option("--password", default=None, help="Password for every demo account "
              "(generated and printed when omitted).")
def demo(password):
    """Create or refresh the demo practice (never in production)."""
    if config.is_production(current_app):
        raise click.ClickException("The demo refuses to run in production mode.")
    password = password or _generated_password()
    if password_problem(password):
        raise click.ClickException(password_problem(password))
    password_hash = hash_password(password)
    people = {}
    for email, name, role, counselor_email in DEMO_PEOPLE:
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if user is None:
            user = User(email=email, name=name, role=role)
            db.session.add(user)
        user.password_hash, user.active = password_hash, True
        if role == "client" and user.client is None:
            db.session.add(Client(user=user, counselor=people[counselor_email]))
        people[email] = user
    db.session.flush()
    sync_library()
    add_demo_work(people)
    add_demo_cases(people)
    add_demo_progress(people)
    add_demo_report(people["counselor@example.com"])
    db.session.commit()
    # The logins come last, where `make run` leaves them in view.
    click.echo(_deliver_demo_mail())
    click.echo("Demo practice ready. Sign in at http://127.0.0.1:5000 with:")
    for email, _name, role, _c in DEMO_PEOPLE:
        click.echo(f"  {role:<10} {email:<24} password: {password}")


def _deliver_demo_mail() -> str:
    """Deliver what the demo's actions queued, and say where it went: without SMTP, .eml
    files in the outbox folder to open in any mail program."""
    from .notifications import delivery

    waiting = select(OutboxMessage.id).where(OutboxMessage.status == "queued")
    queued = list(db.session.scalars(waiting))
    delivery.deliver_due()
    db.session.expire_all()
    sent = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.id.in_(queued), OutboxMessage.status == "sent")) if queued else 0
    if current_app.config["MAIL_SERVER"]:
        return f"{sent} emails sent through {current_app.config['MAIL_SERVER']}."
    folder = current_app.config["MAIL_OUTBOX_DIR"] or os.path.join(current_app.instance_path,
                                                                    "outbox")
    shown = os.path.relpath(folder) if folder.startswith(os.getcwd()) else folder
    return f"{sent} emails written to {shown.rstrip('/')}/"


@click.command("backup")
@click.option("--to", "folder", type=click.Path(file_okay=False), default=None,
              help="Folder for the backup file (default: instance/backups).")
def backup_command(folder):
    """Back up the database to a timestamped, owner-only file (SQLite's backup API, or
    pg_dump's custom format for PostgreSQL); safe while the app is running."""
    try:
        path = backup.backup(current_app, folder)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    audit.record_now("backup.create", outcome="success", detail=path.name)
    click.echo(f"Backup written to {path}")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True,
              help="Replace a database that holds records (it is backed up first).")
def restore_command(file, force):
    """Restore a backup made by `backup` into this app's database. Stop the app first;
    run `flask db upgrade` afterwards if the backup is from an older version."""
    try:
        saved = backup.restore(current_app, file, force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    if saved:
        click.echo(f"The database it replaced was backed up to {saved}")
    audit.record_now("backup.restore", outcome="success", detail=os.path.basename(file))
    click.echo(f"Restored {file}")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(demo)
    app.cli.add_command(sync_library_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(report_command)
    app.cli.add_command(send_mail)
    app.cli.add_command(remind_command)
