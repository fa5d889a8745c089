"""Server-side PDF of the printable pages (referral sheet, booklet) with WeasyPrint.

WeasyPrint is the optional ``pdf`` extra and needs Pango and fonts for every script on the
system (see the README). Without it the pages are printed from the browser as before. Nothing
is fetched from the network while rendering: only the site's own static files, from disk.
"""
from __future__ import annotations

import logging
import mimetypes
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)


@cache
def pdf_available() -> bool:
    """Whether WeasyPrint and its system libraries can be loaded here."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:  # OSError: Pango is missing
        log.info("server-side PDF unavailable: %s", exc)
        return False
    return True


def html_to_pdf(html: str, base_url: str, static_folder: Path,
                static_url_path: str = "/static") -> bytes:
    """Render a page (its print styles) to PDF; ``base_url`` resolves its relative links."""
    from weasyprint import HTML

    fetcher = _static_files_fetcher(Path(static_folder), static_url_path.rstrip("/") + "/")
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher,
                media_type="print").write_pdf()


def _static_files_fetcher(root: Path, prefix: str):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = root.resolve()

    class StaticFilesOnly(URLFetcher):
        """Reads the site's static files from disk and refuses everything else."""

        def fetch(self, url, headers=None):
            path = unquote(urlsplit(url).path)
            if path.startswith(prefix):
                file = (root / path[len(prefix):]).resolve()
                if file.is_relative_to(root) and file.is_file():
                    mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": mime})
            raise ValueError(f"not fetched (only the site's own static files are): {url}")

    return StaticFilesOnly()
