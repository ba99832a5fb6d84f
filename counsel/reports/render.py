"""HTML to tagged PDF, safely (SECURITY.md 19) and within a time and memory bound (20).

WeasyPrint fetches whatever a document points at, so it only ever gets the fetcher in
``engine`` (``data:`` URLs and our files under ``counsel/static/pdf/``, nothing from a disk
path or the network). Each report renders in a child forked from a forkserver that has
WeasyPrint imported and its caches warm, so a report costs a fork rather than a 0.7 s
import, and a runaway document dies with its own process (rlimits, a kill at the deadline)
while the web worker lives on. This module is the web worker's side and never imports
WeasyPrint itself: only the forkserver (and a benchmark) loads ``engine``. The document
text is clinical: nothing here logs it."""

import logging
import multiprocessing
import os
import signal
import threading
from dataclasses import dataclass
from multiprocessing import forkserver
from pathlib import Path

logger = logging.getLogger("counsel.reports")

ASSET_ORIGIN = "https://assets.counsel.invalid/"
ASSET_FOLDER = (Path(__file__).resolve().parent.parent / "static" / "pdf").resolve()
PAGE_SIZES = ("A4", "Letter")
WARM_FLAG = "COUNSEL_REPORTS_FORKSERVER"  # set only while our forkserver starts


class RenderError(Exception):
    """A report that could not be made; ``message`` is a sentence for the counselor."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


def check_page_size(page_size: str) -> None:
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page_size must be A4 or Letter, not {page_size!r}")


def render_in_process(html: str, *, page_size: str = "A4") -> Rendered:
    """WeasyPrint in this very process (imported on first use): the benchmark's "WeasyPrint
    alone" baseline. Never call it from a web request: use render_pdf."""
    from . import engine

    return engine.render_in_process(html, page_size=page_size)


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
            context.set_forkserver_preload(["__main__", "weasyprint", "counsel.reports.engine"])
            os.environ[WARM_FLAG] = "1"
            try:
                forkserver.ensure_running()
            finally:
                os.environ.pop(WARM_FLAG, None)
            _context = context
    return _context


def warm_up() -> None:
    """Start the forkserver now; it imports and warms WeasyPrint in the background (1-2.5 s)
    so the first report need not wait. Call it in each web worker (gunicorn's
    post_worker_init), never in a process that forks afterwards."""
    _forkserver_context()


# A renderer child serves this many reports, then a fresh one takes over: reusing one
# saves the cost of growing a new heap for every report (a third of a short report's
# time), and a fresh one now and then keeps a long-lived heap from only ever growing.
RENDERS_PER_CHILD = 20


@dataclass
class _Renderer:
    process: multiprocessing.Process
    connection: object
    memory_mb: int
    renders: int = 0


_render_lock = threading.Lock()
_renderer: _Renderer | None = None


def render_pdf(html: str, *, page_size: str = "A4", timeout: float = 60,
               memory_mb: int = 1024) -> Rendered:
    """Render in the renderer child, limited to ``memory_mb`` and stopped after ``timeout``
    seconds; failures come back as RenderError with a message for the counselor, and the
    child that failed is replaced. One report at a time per web worker process."""
    check_page_size(page_size)
    with _render_lock:
        renderer = _renderer_for(memory_mb)
        try:
            renderer.connection.send((html, page_size, int(timeout) + 2))
            if not renderer.connection.poll(timeout):
                _retire(wait=False)
                raise _too_long(timeout)
            # Receive before anything else: a big PDF would block a child writing to a
            # full pipe.
            outcome, detail, warnings = renderer.connection.recv()
            pdf = renderer.connection.recv_bytes() if outcome == "ok" else b""
        except (EOFError, OSError):
            outcome, detail, warnings, pdf = "died", None, [], b""
        renderer.renders += 1
        if outcome != "ok" or renderer.renders >= RENDERS_PER_CHILD:
            _retire()
    for message in warnings:
        logger.warning("%s", message)
    if outcome == "ok":
        return Rendered(pdf=pdf, pages=detail)
    exitcode = renderer.process.exitcode
    if outcome == "died" and exitcode == -signal.SIGXCPU:
        raise _too_long(timeout)
    if outcome == "memory" or (outcome == "died" and (exitcode or 0) < 0):
        raise RenderError(f"The report needed more memory than allowed ({memory_mb} MB) "
                          "and was stopped. Try a shorter date range.")
    logger.error("Report rendering failed in the child: %s (exit code %s)", detail, exitcode)
    raise RenderError("The report could not be rendered because of an internal error. "
                      "Please try again; if it keeps failing, tell your administrator.")


def _renderer_for(memory_mb: int) -> _Renderer:
    """The live renderer child with this memory bound, started (forked from the warm
    forkserver) when there is none."""
    global _renderer
    if _renderer is not None and (not _renderer.process.is_alive()
                                  or _renderer.memory_mb != memory_mb):
        _retire()
    if _renderer is None:
        context = _forkserver_context()
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs, memory_mb), daemon=True)
        process.start()
        theirs.close()
        _renderer = _Renderer(process, ours, memory_mb)
    return _renderer


def _retire(wait: bool = True) -> None:
    """Close the renderer child's pipe (an idle child leaves when it reads the end) and
    stop it if it has not left, at once when it is busy with a runaway render."""
    global _renderer
    if _renderer is None:
        return
    renderer, _renderer = _renderer, None
    renderer.connection.close()
    if wait:
        renderer.process.join(2)
    _stop(renderer.process)


def _too_long(timeout: float) -> RenderError:
    unit = "second" if timeout == 1 else "seconds"
    return RenderError(f"The report took longer than {timeout:g} {unit} to render and was "
                       "stopped. Try a shorter date range.")


def _stop(child) -> None:
    if child.is_alive():
        child.terminate()
        child.join(1)
    if child.is_alive():
        child.kill()
        child.join()


def _serve(*args) -> None:
    """The renderer child's entry point; ``engine`` is already loaded in the forkserver."""
    from . import engine

    engine.serve(*args)
