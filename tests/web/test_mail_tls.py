"""Delivery to a mail server that needs TLS (STARTTLS on the submission port, or TLS from
the first byte) and a sign-in, as a practice's provider does: the certificate is checked
against the trusted CAs (here a test CA, named by SSL_CERT_FILE), and an untrusted
certificate or a wrong password leaves the message queued, with the reason, rather than
sending it in the clear or failing it."""

import pytest

from counsel.extensions import db
from counsel.models import OutboxMessage
from counsel.notifications import delivery, outbox

from .. import factories
from ..mail_server import SMTPServer

LOGIN = ("practice@example.org", "a mail password")
# aiosmtpd's warning for the TLS-from-the-first-byte server, which it takes for plain text.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture(params=["starttls", "tls"])
def tls_server(request, tmp_path, monkeypatch):
    server = SMTPServer(security=request.param, login=LOGIN).start()
    ca_file = tmp_path / "ca.pem"
    server.ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # OpenSSL's default trust store
    yield server
    server.stop()


@pytest.fixture
def app_config(tls_server):
    return tls_server.config


def queued() -> int:
    client = factories.ClientFactory(user__email="alex@example.org")
    db.session.flush()
    message = outbox.queue("assignment_new", client.user,
                           context={"portal_url": "https://counsel.example.org/portal"})
    db.session.commit()
    return message.id


def state(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_delivered_over_tls_after_signing_in(app, tls_server):
    message_id = queued()
    counts = delivery.deliver_due()
    assert (counts.sent, counts.retry, counts.failed) == (1, 0, 0)
    assert tls_server.logins == [LOGIN[0]]
    assert len(tls_server.messages_to("alex@example.org")) == 1
    assert state(message_id).status == "sent"


def test_an_untrusted_certificate_sends_nothing(app, tls_server, monkeypatch, tmp_path):
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-file.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    message_id = queued()
    counts = delivery.deliver_due()
    assert (counts.sent, counts.retry) == (0, 1)
    row = state(message_id)
    assert (row.status, row.last_error) == ("queued", "SSLCertVerificationError")
    assert tls_server.logins == [] and tls_server.received == []


def test_a_wrong_password_keeps_the_message_for_when_it_is_fixed(app, tls_server):
    app.config["MAIL_PASSWORD"] = "not the password"
    message_id = queued()
    counts = delivery.deliver_due()
    assert (counts.sent, counts.retry, counts.failed) == (0, 1, 0)
    row = state(message_id)
    assert (row.status, row.last_error) == ("queued", "SMTPAuthenticationError 535")
    assert tls_server.received == []
