"""Serving an archived report: the stored bytes, exactly, never rendered again."""

from flask import Response

from ..models import Report


def pdf_response(report: Report) -> Response:
    """The PDF as a download. The file name says nothing about who it is for: downloads
    folders are often shared."""
    name = f"progress-report-{report.id}-{report.generated_at:%Y-%m-%d}.pdf"
    response = Response(report.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["ETag"] = f'"{report.sha256}"'
    response.headers["Cache-Control"] = "no-store"
    return response
