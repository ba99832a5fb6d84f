"""The counselor's steps to a progress report through the real routes (prepare, preview,
generate, download), and reading what came out: the text of each PDF page (pypdf) and of
the report part of a preview page, flattened so that line breaks and hyphenation do not
hide a sentence, or a leak."""

from __future__ import annotations

import html
import io
import re
import unicodedata

from pypdf import PdfReader

# Hyphens WeasyPrint may put at a line end (hyphens: auto), soft hyphens, and the NULs
# pypdf leaves between the letters of some text it reads as two bytes a character.
_BREAKS = re.compile(r"[\s\u00ad\u2010\u2011\x00-]+")


def flat(text: str) -> str:
    """``text`` without whitespace or hyphens, for searching PDF and HTML text alike."""
    return _BREAKS.sub("", unicodedata.normalize("NFKC", text))


def sentences(text: str, shortest: int = 20) -> list[str]:
    """The sentences of a typed text long enough to be its own (searching sentence by
    sentence finds a leak even where a page break cut the text in two)."""
    parts = re.split(r"(?<=[.!?:;])\s+|\n+", text or "")
    return [p.strip() for p in parts if len(p.strip()) >= shortest]


class Text:
    """Searchable text of a document: whole and page by page."""

    def __init__(self, pages: list[str]):
        self.pages = pages
        self.flat = flat(" ".join(pages))

    def has(self, words: str) -> bool:
        return flat(words) in self.flat

    def leaks(self, texts) -> list[str]:
        """Sentences of ``texts`` found here (should be none)."""
        return [s for text in texts for s in sentences(text) if self.has(s)]

    def missing(self, texts) -> list[str]:
        """Sentences of ``texts`` not found here (should be none)."""
        return [s for text in texts for s in sentences(text) if not self.has(s)]


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page of a PDF (pypdf): the one way every test reads a report."""
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_words(pdf: bytes) -> str:
    return "\n".join(pdf_pages(pdf))


def pdf_text(pdf: bytes) -> Text:
    return Text(pdf_pages(pdf))


def preview_text(page_html: str) -> Text:
    """The report part of a preview page (the page around it is the counselor's own,
    with the case's safety flag banner), as text."""
    match = re.search(r'<article class="report-paper"[^>]*>(.*)</article>', page_html, re.S)
    assert match, "the preview page holds no report"
    return Text([html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))])


def hidden(page_html: str, name: str) -> str:
    """The value of a hidden field of a page's form."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page_html)
    assert match, f"no field {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def prepare(browser, case_id: int, *, action: str = "save", **fields):
    """Save the preparation as the form does (with the version the page showed)."""
    page = browser.get(f"/cases/{case_id}/report")
    assert page.status_code == 200, page.text[-2000:]
    data = {"version": hidden(page.text, "version"), "action": action,
            "narrative": "", "next_steps": ""}
    data.update(fields)
    return browser.post(f"/cases/{case_id}/report", data=data)


def preview(browser, case_id: int, audience: str):
    return browser.get(f"/cases/{case_id}/report/preview", query_string={"audience": audience})


def generate(browser, case_id: int, audience: str) -> int:
    """Open the preview of one version and press its Generate button: the report's id."""
    page = preview(browser, case_id, audience)
    assert page.status_code == 200, page.text[-2000:]
    response = browser.post(f"/cases/{case_id}/report/generate",
                            data={"audience": hidden(page.text, "audience"),
                                  "version": hidden(page.text, "version")})
    assert response.status_code == 302, response.text[-2000:]
    match = re.fullmatch(r".*/reports/(\d+)", response.location)
    assert match, response.location
    return int(match.group(1))


def download(browser, report_id: int) -> bytes:
    response = browser.get(f"/reports/{report_id}/pdf")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return response.data
