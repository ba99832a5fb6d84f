"""Turning an outbox row into an email, and handing it to the mail server (SMTP) or, when
no ``MAIL_SERVER`` is set, writing it as an ``.eml`` file into the outbox folder.

Errors come back as two kinds: ``Permanent`` (this message can never go as it is: an
address the server refuses for good, a header that would hold a line break) and
``Temporary`` (try again later: the server is down, slow or busy). Their text is the
error's type and the server's reply code only, never an address or a body: it is stored
in ``last_error`` and logged."""

from __future__ import annotations

import email.policy
import logging
import os
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from ..models import OutboxMessage, utcnow

logger = logging.getLogger("counsel.mail")

# The parts are encoded for any mail server (7-bit: quoted-printable or base64 where the
# text needs it, lines of at most 76 characters, RFC 2045).
POLICY = email.policy.SMTP.clone(cte_type="7bit", max_line_length=76)
# The message is written out with header lines up to RFC 5322's limit of 998 characters:
# at 78, the email package would write the long unsubscribe link as RFC 2047 encoded
# words, which mail clients do not decode in List-Unsubscribe.
WRITE_POLICY = POLICY.clone(max_line_length=998)
# Python's email package refuses a header value with a line break inside it, but not one
# that ends with one ("Subject\r\n"), which would end the headers early: every header
# value is checked here first (``_header``).


class Permanent(Exception):
    """This message cannot be delivered as it is; do not retry it."""


class Temporary(Exception):
    """Try this message again later. ``stop``: the mail server cannot be reached, so the
    rest of this run's messages would fail the same way; leave them for the next run."""

    def __init__(self, text: str, *, stop: bool = False):
        super().__init__(text)
        self.stop = stop


def describe(error: BaseException) -> str:
    """The error's type and the server's reply code: what ``last_error`` may hold."""
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code = _recipient_code(error)
    if _timed_out(error):
        return "TimeoutError"  # smtplib reports a reply that never came as a disconnection
    return f"{type(error).__name__} {code}" if code else type(error).__name__


def _timed_out(error: BaseException) -> bool:
    return isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError)


def _recipient_code(error: smtplib.SMTPRecipientsRefused) -> int | None:
    codes = [reply[0] for reply in error.recipients.values()]
    return min(codes) if codes else None


def _header(message: EmailMessage, name: str, value) -> None:
    text = str(value)
    if "".join(text.splitlines()) != text or "\x00" in text:
        raise Permanent(f"Not sent: the {name} header would hold a line break")
    try:
        message[name] = value
    except (ValueError, TypeError):
        raise Permanent(f"Not sent: the {name} header is not valid") from None


def sender_address(mail_from: str) -> str:
    """The bare address in ``MAIL_FROM`` ("counsel <no-reply@example.org>"), for the
    envelope; Permanent when it is not exactly one valid address."""
    problem = Permanent("MAIL_FROM must be one valid address, such as "
                        "counsel <no-reply@example.org>")
    probe = EmailMessage(policy=POLICY)
    try:
        _header(probe, "From", mail_from)
    except Permanent:
        raise problem from None
    addresses = probe["From"].addresses
    if len(addresses) != 1 or not addresses[0].username or not addresses[0].domain \
            or probe["From"].defects:
        raise problem
    return addresses[0].addr_spec


def recipient(row: OutboxMessage) -> str:
    """The row's address, when it is exactly one valid address (with no line break, no
    second address after a comma, no display name)."""
    text = row.to_address or ""
    if "".join(text.splitlines()) != text:
        raise Permanent("Not sent: the To header would hold a line break")
    try:
        return Address(addr_spec=text).addr_spec
    except Exception:  # the email package's parse errors, defects and IndexError
        raise Permanent("Not sent: the To header is not one valid address") from None


def build(row: OutboxMessage, *, mail_from: str, unsubscribe_url: str | None) -> EmailMessage:
    """The email for an outbox row: its text and HTML as alternatives, the .ics invitation
    as an attachment when it has one. People's names are never put in a header: To is the
    bare address, From and Subject come from the practice's settings."""
    if row.text_body is None or row.html_body is None:
        raise Permanent("Not sent: the message has no body")
    message = EmailMessage(policy=POLICY)
    _header(message, "From", mail_from)
    _header(message, "To", recipient(row))
    _header(message, "Subject", row.subject)
    _header(message, "Date", format_datetime(utcnow()))
    _header(message, "Message-ID", row.message_id)
    _header(message, "Auto-Submitted", "auto-generated")  # RFC 3834: no auto-replies
    if unsubscribe_url:
        # No List-Unsubscribe-Post: a one-click POST from a mail client would need a
        # CSRF exemption (SECURITY.md 10). The link opens a page with one button.
        _header(message, "List-Unsubscribe", f"<{unsubscribe_url}>")
    message.set_content(row.text_body)
    message.add_alternative(row.html_body, subtype="html")
    if row.ics:
        message.add_attachment(row.ics, subtype="calendar", filename="appointment.ics",
                               params={"method": "PUBLISH"})
    message.policy = WRITE_POLICY  # smtplib and as_bytes() write with the message's policy
    return message


class SMTPTransport:
    """One connection per run, opened at the first message and opened again if the server
    drops it between messages."""

    def __init__(self, config):
        self.host, self.port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
        self.security = str(config["MAIL_SECURITY"]).strip().lower()
        if self.security not in ("starttls", "tls", "none"):
            # The practice's setting, not the messages': the run stops, nothing is lost.
            raise Permanent("MAIL_SECURITY must be starttls, tls or none")
        self.timeout = float(config["MAIL_TIMEOUT_SECONDS"])
        self.username, self.password = config["MAIL_USERNAME"], config["MAIL_PASSWORD"]
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        smtp = None
        try:
            if self.security == "tls":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            return smtp
        except (OSError, smtplib.SMTPException) as error:
            # Down, slow, a refused sign-in or TLS: nothing this run can send.
            if smtp is not None:
                _close(smtp)
            raise Temporary(describe(error), stop=True) from None

    def send(self, message: EmailMessage, sender: str, recipient: str, row) -> None:
        for _ in range(2):
            fresh = self.smtp is None
            if fresh:
                self.smtp = self._connect()
            try:
                self.smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
                return
            except smtplib.SMTPServerDisconnected as error:
                self.close()
                if fresh or _timed_out(error):
                    raise Temporary(describe(error), stop=True) from None
                # The server dropped a connection kept from the last message: once more.
            except smtplib.SMTPRecipientsRefused as error:
                _reply(error, _recipient_code(error))
            except smtplib.SMTPDataError as error:
                _reply(error, error.smtp_code)
            except smtplib.SMTPSenderRefused as error:
                # 552 at MAIL FROM is this message's size. Any other refusal of the sender
                # is the practice's setting (MAIL_FROM, the account), the same for every
                # message: stop, and let the attempts run out only if it stays wrong.
                if error.smtp_code == 552:
                    _reply(error, error.smtp_code)
                raise Temporary(describe(error), stop=True) from None
            except smtplib.SMTPNotSupportedError as error:
                # An address that needs SMTPUTF8 on a server without it.
                raise Permanent(describe(error)) from None
            except (OSError, smtplib.SMTPException) as error:
                # A timeout or a broken connection mid-message: the server may be slow
                # or going down; stop this run, the next one tries again.
                self.close()
                raise Temporary(describe(error), stop=True) from None
        raise Temporary("SMTPServerDisconnected", stop=True)

    def close(self) -> None:
        if self.smtp is not None:
            _close(self.smtp)
            self.smtp = None


def _reply(error: smtplib.SMTPException, code: int | None):
    """5xx: this message is refused for good; 4xx: try it again later."""
    if code is not None and 500 <= code < 600:
        raise Permanent(describe(error)) from None
    raise Temporary(describe(error)) from None


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


class FileTransport:
    """Without a mail server: each message becomes an ``.eml`` file only its owner can
    read (it may hold a sign-in link), in a folder only its owner can enter."""

    def __init__(self, folder: str):
        self.folder = folder
        self.told = False

    def send(self, message: EmailMessage, sender: str, recipient: str, row) -> None:
        try:
            os.makedirs(self.folder, mode=0o700, exist_ok=True)
            name = f"{utcnow():%Y%m%dT%H%M%S}-{row.id:06d}-{row.kind}.eml"
            path = os.path.join(self.folder, name)
            temporary = os.path.join(self.folder, f".{name}.part")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as file:
                os.fchmod(file.fileno(), 0o600)
                file.write(message.as_bytes())
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)  # a reader never sees half a message
        except OSError as error:
            raise Temporary(describe(error), stop=True) from None
        if not self.told:
            self.told = True
            logger.warning("No MAIL_SERVER is set: email is written as .eml files to %s "
                           "instead of being sent.", self.folder)

    def close(self) -> None:
        pass


def for_app(app) -> SMTPTransport | FileTransport:
    config = app.config
    if config["MAIL_SERVER"]:
        return SMTPTransport(config)
    return FileTransport(config["MAIL_OUTBOX_DIR"] or os.path.join(app.instance_path,
                                                                   "outbox"))
