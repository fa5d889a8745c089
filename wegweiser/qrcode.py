"""QR codes as inline SVG, made here (nothing is fetched from elsewhere)."""
from __future__ import annotations

import segno


def inline_svg(data: str, scale: int, title: str | None = None, light: str | None = None) -> str:
    """``data`` as a QR code: an SVG with its natural size and a viewBox, so that a
    stylesheet that makes it smaller or larger (a sheet printed at 26 mm) scales the whole
    code instead of cutting off its edge, which no phone can read then."""
    code = segno.make(data, error="m")
    width, height = code.symbol_size(scale=scale, border=2)
    svg = code.svg_inline(scale=scale, border=2, dark="#000", light=light, title=title,
                          omitsize=True)
    return svg.replace("<svg ", f'<svg width="{width}" height="{height}" ', 1)
