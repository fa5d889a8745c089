"""QR codes scale with the page instead of being cut off: a sheet prints them at 26 mm."""
from __future__ import annotations

import re

import pytest

from wegweiser.qrcode import inline_svg


@pytest.mark.parametrize("scale", [3, 4])
def test_a_qr_code_has_a_view_box_of_its_whole_size(scale):
    svg = inline_svg("http://127.0.0.1:5000/ar/offers/b-stoetteritz-deutschkurs-muetter",
                     scale=scale)
    width, height = (int(v) for v in re.search(r'<svg width="(\d+)" height="(\d+)"', svg).groups())
    assert width == height > 0
    # Without the viewBox a stylesheet that draws it smaller (7 rem, 26 mm in print) crops the
    # right and bottom modules of a fixed-size drawing, and no phone reads it.
    assert f'viewBox="0 0 {width} {height}"' in svg
    assert svg.count("<svg") == 1 and 'class="segno"' in svg


def test_the_pages_qr_codes_scale(demo_client, demo_app, monkeypatch):
    monkeypatch.setitem(demo_app.config, "WTF_CSRF_ENABLED", False)
    demo_client.post("/de/list/add", data={"offer": "a-sprachwerk-deutschkurs-a1"})
    for path in ("/de/list/sheet?client=ar", "/de/list"):
        html = demo_client.get(path).get_data(as_text=True)
        svgs = re.findall(r"<svg [^>]*class=\"segno\"[^>]*>", html)
        assert svgs and all("viewBox=" in s for s in svgs), path
