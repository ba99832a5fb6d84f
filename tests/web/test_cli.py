"""The flask commands: create-user and the demo practice."""

from sqlalchemy import func, select

from counsel.extensions import db
from counsel.models import Client, User


def test_demo_is_idempotent_and_prints_the_logins(app, runner, client):
    first = runner.invoke(args=["demo", "--password", "demo password 123"])
    assert first.exit_code == 0, first.output
    for email in ("admin@example.com", "counselor@example.com", "other@example.com",
                  "alex@example.com", "sam@example.com", "jordan@example.com"):
        assert email in first.output
    assert "demo password 123" in first.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 6
    generated = again.output.split("password: ")[-1].strip()
    assert len(generated) >= 12
    counselor = db.session.scalars(select(User).where(User.email == "counselor@example.com")).one()
    caseload = db.session.scalars(select(Client).where(Client.counselor_id == counselor.id)).all()
    assert sorted(c.email for c in caseload) == ["alex@example.com", "sam@example.com"]
    signed_in = client.post("/sign-in", data={"email": "jordan@example.com",
                                              "password": generated})
    assert signed_in.location == "/my/"


def test_demo_refuses_production(app, runner):
    app.config["ENV_NAME"] = "production"
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0 and "production" in result.output


def test_create_user_asks_for_the_password(app, runner):
    result = runner.invoke(args=["create-user", "--role", "admin", "--email", "Boss@Example.org"],
                           input="a strong admin password\na strong admin password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.email == "boss@example.org")).one()
    assert user.role == "admin" and user.password_hash.startswith("$argon2id$")
    weak = runner.invoke(args=["create-user", "--role", "counselor", "--email", "c@example.org"],
                         input="password1234\npassword1234\n")
    assert weak.exit_code != 0 and "too common" in weak.output
    twice = runner.invoke(args=["create-user", "--role", "admin", "--email", "boss@example.org"],
                          input="a strong admin password\na strong admin password\n")
    assert twice.exit_code != 0 and "already has an account" in twice.output


def test_demo_leaves_its_messages_in_the_outbox_folder(app, runner, tmp_path):
    """Without SMTP, what the demo's actions queued is written as .eml files, and the
    command says how many and where (issue 10, Demo)."""
    import re

    app.config.update(MAIL_SERVER="", MAIL_OUTBOX_DIR=str(tmp_path))
    result = runner.invoke(args=["demo", "--password", "demo password 123"])
    assert result.exit_code == 0, result.output
    said = re.search(r"(\d+) emails written to (\S+)/\n", result.output)
    assert said and said.group(2) == str(tmp_path), result.output
    written = sorted(tmp_path.rglob("*.eml"))
    assert int(said.group(1)) == len(written) > 0
