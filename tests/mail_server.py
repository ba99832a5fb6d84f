"""A real SMTP server on loopback for the email tests (aiosmtpd, on a free port): it keeps
every message it accepts, can refuse chosen recipients (a bounced address) or put them off
(a 4xx reply: try later), refuse a sender or every message's content, answer slowly (a
server slower than the app's timeout), hang up after each message, and be stopped and
started again on the same port (a mail server that is down). With ``security``
"starttls" or "tls" it speaks TLS with a certificate from a test CA (``ca``), and with
``login`` it requires that user name and password."""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
from email.message import EmailMessage

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from .servers import free_port


class _Handler:
    def __init__(self, server: SMTPServer):
        self.server = server

    async def handle_MAIL(self, smtp, session, envelope, address, mail_options):  # noqa: N802
        if address.lower() in self.server.refused_senders:
            return "550 5.7.1 Sender not allowed"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):  # noqa: N802
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        if address.lower() in self.server.refused:
            return "550 5.1.1 No such mailbox"
        if address.lower() in self.server.deferred:
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_EHLO(self, smtp, session, envelope, hostname, responses):  # noqa: N802
        self.server.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, smtp, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        if self.server.reject_content:
            return "554 5.6.0 Message content rejected"
        self.server.received.append((list(envelope.rcpt_tos), message))
        self.server.raw.append(envelope.original_content or envelope.content)
        if self.server.hang_up_after_each:
            # After the reply is written: the client finds out at its next command.
            asyncio.get_running_loop().call_soon(smtp.transport.close)
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, security: str = "none", login: tuple[str, str] | None = None):
        self.security, self.login = security, login
        self.ca = trustme.CA() if security != "none" else None
        self.logins: list[str] = []  # the user names that signed in
        self.port = free_port()
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.raw: list[bytes] = []  # each accepted message as it came, in the same order
        self.refused: set[str] = set()
        self.deferred: set[str] = set()
        self.refused_senders: set[str] = set()  # MAIL FROM answered with 550
        self.reject_content = False  # every DATA answered with 554
        # Seconds the server waits before answering each recipient.
        self.delay: float = 0
        # Close the connection after each message (as servers limiting a connection do).
        self.hang_up_after_each = False
        self.connections = 0  # EHLOs seen: one per connection
        self._controller: Controller | None = None

    @property
    def config(self) -> dict:
        """The app settings that send to this server."""
        username, password = self.login or ("", "")
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port,
                "MAIL_SECURITY": self.security, "MAIL_TIMEOUT_SECONDS": 5,
                "MAIL_USERNAME": username, "MAIL_PASSWORD": password}

    def start(self) -> SMTPServer:
        options = {}
        if self.ca is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.ca.issue_cert("127.0.0.1").configure_cert(context)
            if self.security == "starttls":
                options.update(tls_context=context, require_starttls=True)
            else:
                # aiosmtpd only counts STARTTLS as TLS when it decides whether to offer
                # AUTH; this connection is TLS from its first byte.
                options.update(ssl_context=context, auth_require_tls=False)
        if self.login:
            options.update(authenticator=self._authenticate, auth_required=True)
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                      **options)
        self._controller.start()
        return self

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        given = (auth_data.login.decode(), auth_data.password.decode())
        if given == self.login:
            self.logins.append(given[0])
        return AuthResult(success=given == self.login, handled=False)

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages_to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.received if address in rcpt]

    @staticmethod
    def text_of(message: EmailMessage) -> str:
        """Every text part (plain and HTML) and attachment of a message, as one string."""
        parts = []
        for part in message.walk():
            if part.is_multipart():
                continue
            payload = part.get_content()
            parts.append(payload.decode("utf-8", "replace") if isinstance(payload, bytes)
                         else payload)
        return "\n".join(parts)
