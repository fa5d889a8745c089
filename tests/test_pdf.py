"""The optional server-side PDF (WeasyPrint): the referral sheet and the booklet as files,
with fonts that have the letters of every script, and nothing fetched from elsewhere."""
from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from wegweiser import cli
from wegweiser.pdf import html_to_pdf, pdf_available

from .conftest import ARTIFACTS, unavailable
from .test_shortlist import add, offer_ids, token

STATIC = Path(__file__).resolve().parent.parent / "static"


@pytest.fixture(autouse=True)
def weasyprint():
    if not pdf_available():
        unavailable("WeasyPrint (the pdf extra) or Pango is not installed")


def pdf_text_and_fonts(data: bytes) -> tuple[str, set[str]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return text, fonts


def test_the_referral_sheet_comes_as_a_pdf_in_arabic_and_german(demo_client):
    csrf = token(demo_client)
    for offer_id in offer_ids(demo_client, "Deutschkurs", 2):
        add(demo_client, offer_id, csrf)
    page = demo_client.get("/de/list/sheet?client=ar").get_data(as_text=True)
    assert 'href="/de/list/sheet.pdf?client=ar"' in page
    response = demo_client.get("/de/list/sheet.pdf?client=ar")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "sheet-ar-de-weasyprint.pdf").write_bytes(response.data)
    text, fonts = pdf_text_and_fonts(response.data)
    assert "Gedruckt am" in text and "Wegweiser Leipzig" in text
    assert "لمن" in text, "Arabic labels come out as Arabic text"
    assert any("Arabic" in font for font in fonts), fonts


def test_every_script_gets_a_font_that_has_its_letters():
    samples = {"ar": "مرحبا بكم في الاستشارة", "fa": "مشاوره برای پناهجویان",
               "uk": "Консультація для біженців", "ti": "ምኽሪ ንስደተኛታት"}
    html = ('<html><head><link rel="stylesheet" href="/static/css/site.css"></head><body>'
            + "".join(f'<p lang="{lang}">{text}</p>' for lang, text in samples.items())
            + "</body></html>")
    data = html_to_pdf(html, "http://localhost/", STATIC)
    text, fonts = pdf_text_and_fonts(data)
    assert any("Ethiopic" in font for font in fonts), fonts
    assert any("Arabic" in font for font in fonts), fonts
    for sample in samples.values():
        assert sample.split()[0] in text, (sample, text)


def test_rendering_fetches_nothing_from_another_server():
    requests = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    elsewhere = f"http://127.0.0.1:{server.server_port}"
    html = (f'<html><head><link rel="stylesheet" href="{elsewhere}/style.css">'
            f'<link rel="stylesheet" href="/static/css/site.css"></head>'
            f'<body><img src="{elsewhere}/tracker.png"><p>Hallo</p></body></html>')
    try:
        data = html_to_pdf(html, "http://localhost/", STATIC)
    finally:
        server.shutdown()
        server.server_close()
    assert data.startswith(b"%PDF") and requests == []


def test_the_booklet_is_written_as_a_pdf(directory, tmp_path):
    app = directory
    output = tmp_path / "booklet.pdf"
    result = app.test_cli_runner().invoke(cli.main, [
        "booklet", "--area", "ost", "--lang", "fa", "--category", "health",
        "--output", str(output)])
    assert result.exit_code == 0, result.output
    text, fonts = pdf_text_and_fonts(output.read_bytes())
    assert output.read_bytes().startswith(b"%PDF") and len(text) > 300
    assert any("Arabic" in font for font in fonts), "Persian letters need an Arabic-script font"


def test_moderators_download_the_booklet_as_a_pdf(directory):
    from .helpers import signed_in

    moderator = signed_in(directory, "mod@example.org", "moderator")
    form = moderator.get("/de/manage/booklet").get_data(as_text=True)
    assert 'name="format" value="pdf"' in form
    response = moderator.get("/de/manage/booklet?area=ost&booklet_lang=uk&category=health"
                             "&format=pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text, _fonts = pdf_text_and_fonts(response.data)
    assert "Зміст" in text and "Пропозиції підтримки" in text, text[:300]


@pytest.mark.parametrize("client_language", ["ti", "ckb", "ps"])
def test_the_referral_sheet_prints_the_new_scripts(demo_client, client_language):
    """Tigrinya comes out in Ethiopic letters, Sorani and Pashto in Arabic script, each with a
    font that has them (the sheet's second column is in the client's language)."""
    from flask_babel import gettext

    from wegweiser.i18n import in_language

    with demo_client.application.test_request_context("/"), in_language(client_language):
        label = gettext("For whom")
    csrf = token(demo_client)
    for offer_id in offer_ids(demo_client, "Deutschkurs", 1):
        add(demo_client, offer_id, csrf)
    response = demo_client.get(f"/de/list/sheet.pdf?client={client_language}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"sheet-{client_language}-de-weasyprint.pdf").write_bytes(response.data)
    text, fonts = pdf_text_and_fonts(response.data)
    assert label in text
    script = "Ethiopic" if client_language == "ti" else "Arabic"
    assert any(script in font for font in fonts), fonts
