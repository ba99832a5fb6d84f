"""gunicorn settings for counsel: ``gunicorn -c python:counsel.gunicorn_conf
'counsel:create_app()'``. Command-line options still override these.

The point of shipping it: gunicorn's access log prints the request line and the Referer,
and an invitation link carries a live credential in its path (SECURITY.md 22), so the
logger redacts ``/invitation/<token>`` in every access and error line. Proxy headers are
left to the app's ``TRUSTED_PROXIES`` (Werkzeug's ProxyFix), so there is one place that
decides whom to believe."""

from gunicorn.glogging import Logger

from counsel.serving import redact_logs


class RedactingLogger(Logger):
    """gunicorn's logger with the token filter on its access and error logs."""

    def setup(self, cfg):
        super().setup(cfg)
        redact_logs("gunicorn.access", "gunicorn.error")


logger_class = RedactingLogger
accesslog = "-"
errorlog = "-"
# gunicorn would otherwise trust X-Forwarded-Proto from 127.0.0.1 on its own.
forwarded_allow_ips = ""
workers = 3
# Without a report worker (COUNSEL_REDIS_URL), a progress report renders in the request,
# bounded by REPORT_TIMEOUT_SECONDS (60 by default) plus building its HTML and, first in
# each worker, starting the renderer. gunicorn's default of 30 s would kill the web worker
# mid-report (the counselor gets an error and nothing is archived) instead of the render
# being stopped with a message: keep this above REPORT_TIMEOUT_SECONDS, with room.
timeout = 120
bind = "127.0.0.1:8000"


def post_worker_init(worker):
    """Each worker starts its own report renderer (a forkserver with WeasyPrint loaded and
    warm) in the background, so the first report does not wait for it; it must start in
    the worker itself, never in the arbiter that forks the workers."""
    from counsel.reports.render import warm_up

    warm_up()
