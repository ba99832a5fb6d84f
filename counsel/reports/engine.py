"""The WeasyPrint side of rendering, loaded only in the forkserver (and by a benchmark or
test that renders in-process): the fetcher that refuses everything but ``data:`` URLs and
our packaged assets, the WeasyPrint call, and the child's work. ``render`` drives it."""

import logging
import mimetypes
import os
import resource
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request

from weasyprint import CSS, HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

from .render import ASSET_FOLDER, ASSET_ORIGIN, WARM_FLAG, Rendered, check_page_size

logger = logging.getLogger("counsel.reports")


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


def render_in_process(html: str, *, page_size: str = "A4") -> Rendered:
    """The WeasyPrint call itself, here in this process: the child's work, and the
    benchmark's "WeasyPrint alone" baseline. Never call it from a web request."""
    check_page_size(page_size)
    fetcher = PackagedAssetsOnly()
    # A user stylesheet sets only the size, so the document's CSS still sets margins.
    size = CSS(string=f"@page {{ size: {page_size} }}", url_fetcher=fetcher)
    document = HTML(string=html, base_url=ASSET_ORIGIN, url_fetcher=fetcher).render(
        stylesheets=[size], pdf_variant="pdf/ua-1")
    document.metadata.attachments = []  # a report never embeds files, whatever it links
    # pdf/ua-1: PDF 1.7, a structure tree, /Lang and the title shown for screen readers.
    pdf = document.write_pdf(pdf_variant="pdf/ua-1")
    return Rendered(pdf=pdf, pages=len(document.pages))


def serve(connection, memory_mb: int) -> None:
    """Runs in the renderer child: bound its memory, then render each document the parent
    sends, answering (outcome, detail, warnings) and then the PDF's bytes, until the pipe
    closes. Each render gets its own CPU allowance on top of what the child has used.
    After a MemoryError the child answers and leaves: its state is no longer trusted.
    Refusal warnings go back for the parent to log with its own setup."""
    limit = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    warnings = _Collect()
    logger.addHandler(warnings)
    logger.propagate = False
    while True:
        try:
            html, page_size, cpu_seconds = connection.recv()
        except EOFError:
            return
        used = resource.getrusage(resource.RUSAGE_SELF)
        allowance = int(used.ru_utime + used.ru_stime) + cpu_seconds
        resource.setrlimit(resource.RLIMIT_CPU, (allowance, resource.RLIM_INFINITY))
        warnings.messages = []
        try:
            rendered = render_in_process(html, page_size=page_size)
        except MemoryError:
            connection.send(("memory", None, warnings.messages))
            return
        except Exception as error:  # only the type: the message may quote clinical text
            connection.send(("error", type(error).__name__, warnings.messages))
        else:
            connection.send(("ok", rendered.pages, warnings.messages))
            connection.send_bytes(rendered.pdf)


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

if os.environ.get(WARM_FLAG) == "1":
    _warm_caches()
