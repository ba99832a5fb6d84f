"""The report renderer: a tagged PDF of the asked page size, and bounds that stop a runaway
document with a clear message while this process (the web worker) lives on (SECURITY.md 20)."""

import io
import logging
import multiprocessing
import os
import signal
import struct
import threading
import time
import zlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from counsel.reports import render
from counsel.reports.render import (
    Rendered,
    RenderError,
    limits_from,
    render_in_process,
    render_pdf,
)

# Never opens the database: run once, in the SQLite pass (scripts/test-all).
pytestmark = pytest.mark.database_free

DOCUMENT = ('<html lang="en-GB"><head><title>Progress report: Ana and Ben</title></head>'
            "<body><h1>Progress report</h1><p>They kept the weekly check-in.</p></body></html>")


def png(width: int, height: int) -> bytes:
    """A black RGB PNG: a few hundred bytes even when it decodes to gigabytes."""
    row = b"\x00" + b"\x00" * (width * 3)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(row * height, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def read(rendered: Rendered) -> PdfReader:
    return PdfReader(io.BytesIO(rendered.pdf))


def test_the_pdf_is_tagged_with_language_and_title():
    rendered = render_pdf(DOCUMENT)
    assert rendered.pdf.startswith(b"%PDF-1.7")
    reader = read(rendered)
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata.title == "Progress report: Ana and Ben"
    assert "They kept the weekly check-in." in reader.pages[0].extract_text()


@pytest.mark.parametrize(("page_size", "width", "height"),
                         [("A4", 595.28, 841.89), ("Letter", 612, 792)])
def test_page_size(page_size, width, height):
    page = read(render_in_process(DOCUMENT, page_size=page_size)).pages[0]
    assert float(page.mediabox.width) == pytest.approx(width, abs=1)
    assert float(page.mediabox.height) == pytest.approx(height, abs=1)


def test_the_document_css_still_sets_the_margins():
    tall = '<div style="height: 270mm"></div><p>after</p>'  # A4 is 297 mm tall
    assert render_in_process("<style>body { margin: 0 }</style>" + tall).pages == 2
    assert render_in_process("<style>@page { margin: 0 } body { margin: 0 }</style>"
                             + tall).pages == 1


@pytest.mark.parametrize("page_size", ["A5", "a4", "letter", "", None])
def test_other_page_sizes_are_refused(page_size):
    with pytest.raises(ValueError, match="A4 or Letter"):
        render_in_process(DOCUMENT, page_size=page_size)
    with pytest.raises(ValueError, match="A4 or Letter"):
        render_pdf(DOCUMENT, page_size=page_size)


def test_the_page_count_is_the_pdfs():
    html = "".join(f'<p style="page-break-after: always">Page {n}</p>' for n in range(7))
    rendered = render_pdf(html)
    assert rendered.pages == 7 == len(read(rendered).pages)


def test_limits_come_from_the_config():
    app = SimpleNamespace(config={"REPORT_PAGE_SIZE": "Letter", "REPORT_TIMEOUT_SECONDS": 30,
                                  "REPORT_MEMORY_MB": 512})
    assert limits_from(app) == {"page_size": "Letter", "timeout": 30, "memory_mb": 512}


def test_a_runaway_render_is_stopped_at_the_timeout_and_the_worker_lives_on():
    started = time.monotonic()
    with pytest.raises(RenderError) as stopped:
        render_pdf("<p>word " * 300_000, timeout=2)
    assert time.monotonic() - started < 5
    assert stopped.value.message == ("The report took longer than 2 seconds to render and "
                                     "was stopped. Try a shorter date range.")
    assert multiprocessing.active_children() == []
    assert render_pdf(DOCUMENT).pages == 1


def test_a_memory_blow_up_is_stopped_and_the_worker_lives_on():
    from base64 import b64encode

    bomb = png(9000, 9000)  # 240 kB of PNG, 243 MB of pixels once decoded
    html = f'<img style="width: 5cm" src="data:image/png;base64,{b64encode(bomb).decode()}">'
    started = time.monotonic()
    with pytest.raises(RenderError) as stopped:
        render_pdf(html, memory_mb=300, timeout=20)
    assert time.monotonic() - started < 10
    assert stopped.value.message.startswith("The report needed more memory than allowed")
    assert stopped.value.message.endswith("Try a shorter date range.")
    assert multiprocessing.active_children() == []
    assert render_pdf(DOCUMENT).pages == 1


def test_a_child_killed_from_outside_is_reported_as_memory():
    """The kernel's OOM killer sends SIGKILL: the counselor hears about memory."""

    def kill_the_child():
        time.sleep(1)  # into the render, not the renderer waiting for it
        deadline = time.monotonic() + 5
        while not multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.01)
        for child in multiprocessing.active_children():
            os.kill(child.pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_the_child)
    killer.start()
    with pytest.raises(RenderError, match="more memory than allowed"):
        render_pdf("<p>word " * 300_000, timeout=10)
    killer.join()
    assert render_pdf(DOCUMENT).pages == 1


def test_any_other_failure_is_a_clear_message_and_logs_only_the_type(caplog):
    with caplog.at_level(logging.WARNING, logger="counsel.reports"), \
            pytest.raises(RenderError) as failed:
        render_pdf(12345)  # not text: WeasyPrint raises TypeError in the child
    assert "could not be rendered" in failed.value.message
    assert "TypeError" in caplog.text
    assert "12345" not in caplog.text
    assert render_pdf(DOCUMENT).pages == 1


def test_one_renderer_child_serves_several_reports_then_a_fresh_one_takes_over(monkeypatch):
    monkeypatch.setattr(render, "RENDERS_PER_CHILD", 3)
    render._retire()
    pids = []
    for _ in range(4):
        assert render_pdf(DOCUMENT).pages == 1
        pids.append(render._renderer.process.pid if render._renderer else None)
    # the third render retires the child; the fourth is served by a new one
    assert pids[0] == pids[1] and pids[2] is None and pids[3] not in (None, pids[0])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_each_report_gets_its_own_cpu_allowance_in_a_long_lived_child(monkeypatch):
    """The CPU limit is per render: a child that has served many reports is not stopped
    because their time adds up past one report's bound (2 s + 2 s here). (Each render
    takes about half a second: a 2 s timeout leaves room for a busy machine.)"""
    monkeypatch.setattr(render, "RENDERS_PER_CHILD", 1000)
    render._retire()
    page = "<p>" + "A sentence of a session summary, long enough to take some time. " * 500
    assert render_pdf(page, timeout=2).pages >= 1
    pid = render._renderer.process.pid
    while _cpu_seconds(pid) < 5 and render._renderer.renders < 80:
        assert render_pdf(page, timeout=2).pages >= 1
    assert render._renderer.process.pid == pid and _cpu_seconds(pid) >= 5
