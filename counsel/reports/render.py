"""HTML to tagged PDF, safely (SECURITY.md 19) and within a time and memory bound (20).

WeasyPrint fetches whatever a document points at, so it only ever gets PackagedAssetsOnly:
``data:`` URLs and our files under ``counsel/static/pdf/``, nothing from a disk path or the
network. Each report renders in a child forked from a forkserver that has WeasyPrint
imported and its caches warm, so a report costs a fork rather than a 0.7 s import, and a
runaway document dies with its own process (rlimits, a kill at the deadline) while the web
worker lives on. The document text is clinical: nothing here logs it."""

import logging
import mimetypes
import multiprocessing
import os
import resource
import signal
import threading
from dataclasses import dataclass
from multiprocessing import forkserver
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request

from weasyprint import CSS, HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

logger = logging.getLogger("counsel.reports")

ASSET_ORIGIN = "https://assets.counsel.invalid/"
ASSET_FOLDER = (Path(__file__).resolve().parent.parent / "static" / "pdf").resolve()
PAGE_SIZES = ("A4", "Letter")
_WARM_FLAG = "COUNSEL_REPORTS_FORKSERVER"  # set only while our forkserver starts


class RenderError(Exception):
    """A report that could not be made; ``message`` is a sentence for the counselor."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


class PackagedAssetsOnly(URLFetcher):
    """Serves ``data:`` URLs and packaged files under ASSET_ORIGIN; refuses the rest.

    A refusal raises, which WeasyPrint (fail_on_errors=False) turns into a skipped image,
    stylesheet, font or attachment with a warning, not a failed report."""

    def __init__(self):
        super().__init__(fail_on_errors=False)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            # urllib decodes data: URLs itself (RFC 2397); nothing goes to the network.
            response = DataHandler().data_open(Request(url))  # noqa: S310 (data: only)
            content_type = response.headers.get("Content-Type", "text/plain")
            return URLFetcherResponse(url, response.read(), {"Content-Type": content_type})
        path = self._asset_path(url)
        if path is None:
            parts = urlsplit(url) if "://" in url else None
            where = f"{parts.scheme}://{parts.hostname or ''}" if parts else url.split(":")[0]
            logger.warning("A report referred to %s; refused (packaged assets only)", where)
            raise ValueError("refused: reports use packaged assets and data: URLs only")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    @staticmethod
    def _asset_path(url: str) -> Path | None:
        """The packaged file a URL names, or None if it names anything outside the folder:
        ``..`` (plain or %-encoded), backslashes, NULs and symlinks out all end here."""
        if not url.startswith(ASSET_ORIGIN):
            return None
        parts = urlsplit(url)
        if parts.scheme != "https" or parts.netloc != urlsplit(ASSET_ORIGIN).netloc:
            return None
        relative = unquote(parts.path).lstrip("/")
        segments = relative.split("/")
        if not relative or any(s in ("", ".", "..") for s in segments) \
                or "\\" in relative or "\x00" in relative:
            return None
        path = (ASSET_FOLDER / relative).resolve()
        if not path.is_relative_to(ASSET_FOLDER) or not path.is_file():
            return None
        return path


def _check_page_size(page_size: str) -> None:
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page_size must be A4 or Letter, not {page_size!r}")


def render_in_process(html: str, *, page_size: str = "A4") -> Rendered:
    """The WeasyPrint call itself, here in this process: the child's work, and the
    benchmark's "WeasyPrint alone" baseline. Never call it from a web request."""
    _check_page_size(page_size)
    fetcher = PackagedAssetsOnly()
    # A user stylesheet sets only the size, so the document's CSS still sets margins.
    size = CSS(string=f"@page {{ size: {page_size} }}", url_fetcher=fetcher)
    document = HTML(string=html, base_url=ASSET_ORIGIN, url_fetcher=fetcher).render(
        stylesheets=[size], pdf_variant="pdf/ua-1")
    document.metadata.attachments = []  # a report never embeds files, whatever it links
    # pdf/ua-1: PDF 1.7, a structure tree, /Lang and the title shown for screen readers.
    pdf = document.write_pdf(pdf_variant="pdf/ua-1")
    return Rendered(pdf=pdf, pages=len(document.pages))


def limits_from(app) -> dict:
    return {"page_size": app.config["REPORT_PAGE_SIZE"],
            "timeout": app.config["REPORT_TIMEOUT_SECONDS"],
            "memory_mb": app.config["REPORT_MEMORY_MB"]}


_lock = threading.Lock()
_context = None


def _forkserver_context():
    """The forkserver context, its server started once, on first use (not on import of
    counsel), with WeasyPrint and this module preloaded and warmed (see end of module).
    One forkserver per web worker: call warm_up() after gunicorn forks, not before."""
    global _context
    with _lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            # "__main__" (gunicorn's script, pytest's...) once here, or every child would
            # import it again to set itself up.
            context.set_forkserver_preload(["__main__", "weasyprint", __name__])
            os.environ[_WARM_FLAG] = "1"
            try:
                forkserver.ensure_running()
            finally:
                os.environ.pop(_WARM_FLAG, None)
            _context = context
    return _context


def warm_up() -> None:
    """Start the forkserver now; it imports and warms WeasyPrint in the background (1-2.5 s)
    so the first report need not wait. Call it in each web worker (gunicorn's
    post_worker_init), never in a process that forks afterwards."""
    _forkserver_context()


def render_pdf(html: str, *, page_size: str = "A4", timeout: float = 60,
               memory_mb: int = 1024) -> Rendered:
    """Render in a child process limited to ``memory_mb`` and killed after ``timeout``
    seconds; failures come back as RenderError with a message for the counselor."""
    _check_page_size(page_size)
    context = _forkserver_context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, daemon=True,
                            args=(sender, html, page_size, memory_mb, int(timeout) + 2))
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            _stop(child)
            raise _too_long(timeout)
        try:  # receive before join: a big PDF would block the child writing to a full pipe
            outcome, detail, warnings = receiver.recv()
            pdf = receiver.recv_bytes() if outcome == "ok" else b""
        except EOFError:
            outcome, detail, warnings, pdf = "died", None, [], b""
    finally:
        receiver.close()
    child.join(5)
    _stop(child)
    for message in warnings:
        logger.warning("%s", message)
    if outcome == "ok":
        return Rendered(pdf=pdf, pages=detail)
    if outcome == "died" and child.exitcode == -signal.SIGXCPU:
        raise _too_long(timeout)
    if outcome == "memory" or (outcome == "died" and (child.exitcode or 0) < 0):
        raise RenderError(f"The report needed more memory than allowed ({memory_mb} MB) "
                          "and was stopped. Try a shorter date range.")
    logger.error("Report rendering failed in the child: %s (exit code %s)",
                 detail, child.exitcode)
    raise RenderError("The report could not be rendered because of an internal error. "
                      "Please try again; if it keeps failing, tell your administrator.")


def _too_long(timeout: float) -> RenderError:
    return RenderError(f"The report took longer than {timeout:g} seconds to render and was "
                       "stopped. Try a shorter date range.")


def _stop(child) -> None:
    if child.is_alive():
        child.terminate()
        child.join(1)
    if child.is_alive():
        child.kill()
        child.join()


def _child(sender, html: str, page_size: str, memory_mb: int, cpu_seconds: int) -> None:
    """Runs in the forked child: bound itself, render, send (outcome, detail, warnings)
    then the PDF's bytes. Refusal warnings go back for the parent to log with its setup."""
    limit = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    warnings = _Collect()
    logger.addHandler(warnings)
    logger.propagate = False
    try:
        rendered = render_in_process(html, page_size=page_size)
    except MemoryError:
        sender.send(("memory", None, warnings.messages))
    except Exception as error:  # only the type: the message may quote clinical text
        sender.send(("error", type(error).__name__, warnings.messages))
    else:
        sender.send(("ok", rendered.pages, warnings.messages))
        sender.send_bytes(rendered.pdf)
    sender.close()


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _warm_caches() -> None:
    """In the forkserver only: one small report fills WeasyPrint's and fontconfig's caches
    once, and gc.freeze() keeps the collector off those pages so forks stay cheap."""
    import gc

    try:
        render_in_process(_WARM_DOCUMENT)
    except Exception as error:  # a cold start is slower, not broken: the server must live
        logger.warning("Report warm-up failed: %s", type(error).__name__)
    gc.freeze()


_WARM_DOCUMENT = (
    '<html lang="en"><title>Warm</title><link rel="stylesheet" href="report.css"><h1>Warm'
    '</h1><h2>up</h2><p>Some <b>bold</b>, <i>italic</i> text.</p><ul><li>One</li></ul>'
    '<table><tr><th>A</th><td>1</td></tr></table>')

if os.environ.get(_WARM_FLAG) == "1":
    _warm_caches()
