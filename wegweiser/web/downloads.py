"""Printable pages as PDF files, where the optional PDF extra is installed."""
from __future__ import annotations

from pathlib import Path

from flask import Response, abort, current_app, request

from ..pdf import html_to_pdf, pdf_available


def pdf_response(html: str, filename: str) -> Response:
    """``html`` rendered by WeasyPrint; 404 where the PDF extra is not installed."""
    if not pdf_available():
        abort(404)
    data = html_to_pdf(html, request.url_root, Path(current_app.static_folder),
                       current_app.static_url_path)
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
