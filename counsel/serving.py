"""How counsel meets the network in production: how many proxies to believe, what an
untrusted Host header gets, and keeping invitation tokens out of every server log
(SECURITY.md 21-22)."""

import logging
import re

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

# /invitation/<token>, /reset-password/<token>, /unsubscribe/<token> (and the counselor's
# /calendar/<token>.ics) in a request line, a path or a Referer: the token is a live
# credential.
TOKEN_IN_PATH = re.compile(r"(/invitation/|/reset-password/|/unsubscribe/|/calendar/)"
                           r"[^/?#\s\"']+")
REDACTED = r"\1[redacted]"
# Loggers that can print a request's path: the dev server's access log, the app's own
# "Exception on /path" lines, and gunicorn's (see counsel/gunicorn_conf.py).
REDACTED_LOGGERS = ("werkzeug", "counsel", "gunicorn.access", "gunicorn.error")


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(REDACTED, text)


class RedactTokens(logging.Filter):
    """Rewrites a record whose formatted message holds an invitation token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def redact_logs(*names: str) -> None:
    for name in names or REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())


def init_app(app: Flask) -> None:
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        # X-Forwarded-* values are taken only from the last `hops` entries, the ones our
        # own proxies appended; whatever a client put in front of them is ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops)
    redact_logs()

    @app.errorhandler(SecurityError)
    def untrusted_host(e):
        # No URL adapter exists for an untrusted host, so the usual error page (which
        # builds links) cannot render: answer in plain text.
        return "This address is not served here.", 400, {"Content-Type": "text/plain"}
