"""Server-rendered SVG pictures: a tile map of districts coloured by coverage and horizontal
bar charts. Plain data in, an SVG element out; nothing needs JavaScript or another site.

Every picture is ``role="img"`` with a <title> and a <desc> that say what it shows, every tile
and bar carries its number as text (colour is never the only sign), and the table behind each
picture sits beside it on the page.
"""
from __future__ import annotations

from markupsafe import Markup, escape

TILE_WIDTH, TILE_HEIGHT, GAP = 124, 84, 6
# One column: in two, "от 17 до 22 предложений" ran past the picture's edge and was cut off.
LEGEND_ROW, LEGEND_COLUMNS = 30, 1
DASHED = ' stroke-width="2" stroke-dasharray="6 4"'
# Fills from no offer to many, each with a text colour of at least 4.5:1 contrast on it.
LEVELS = (("#ffffff", "#1b1f23"), ("#d8ecef", "#1b1f23"), ("#7fbac4", "#1b1f23"),
          ("#0b5563", "#ffffff"))
BAR_WIDTH, BAR_ROW, BAR_HEIGHT, LINE = 400, 56, 22, 21


def _svg(ident: str, width: int, height: int, title: str, desc: str, body: str,
         css_class: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{ident}-t {ident}-d" direction="ltr" font-family="system-ui, '
        f'sans-serif"><title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(desc)}</desc>{body}</svg>')


def levels(maximum: int) -> list[tuple[int, int]]:
    """Count ranges of the colour levels: 0, then 1…maximum in up to three steps."""
    if maximum <= 0:
        return [(0, 0)]
    step = max(1, -(-maximum // 3))
    ranges = [(0, 0)]
    low = 1
    while low <= maximum and len(ranges) < len(LEVELS):
        high = maximum if len(ranges) == len(LEVELS) - 1 else min(maximum, low + step - 1)
        ranges.append((low, high))
        low = high + 1
    return ranges


def level_of(value: int, ranges: list[tuple[int, int]]) -> int:
    for index, (low, high) in enumerate(ranges):
        if low <= value <= high:
            return index
    return len(ranges) - 1


def tile_map(ident: str, rows: list[list[str]], tiles: dict[str, dict], title: str, desc: str,
             range_label, rtl: bool = False) -> Markup:
    """Districts as tiles in their map positions (``rows`` of slugs, "" for none), each with
    ``tiles[slug] = {"name", "count", "label"}`` (``label``: the count in words)."""
    columns = max((len(row) for row in rows), default=1)
    ranges = levels(max((tile["count"] for tile in tiles.values()), default=0))
    hatch = f"url(#{ident}-hatch)"
    parts = [f'<defs><pattern id="{ident}-hatch" width="8" height="8" '
             'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
             '<rect width="8" height="8" fill="#ffffff"/>'
             '<line x1="0" y1="0" x2="0" y2="8" stroke="#9aa5ab" stroke-width="3"/>'
             '</pattern></defs>']
    for y, row in enumerate(rows):
        for x, slug in enumerate(row):
            if not slug or slug not in tiles:
                continue
            tile = tiles[slug]
            level = level_of(tile["count"], ranges)
            fill, ink = LEVELS[level]
            # A map keeps west on the left in every language.
            left, top = x * (TILE_WIDTH + GAP), y * (TILE_HEIGHT + GAP)
            middle = left + TILE_WIDTH / 2
            parts.append(
                f'<g class="tile level-{level}"><title>{escape(tile["name"])}: '
                f'{escape(tile["label"])}</title>'
                f'<rect x="{left}" y="{top}" width="{TILE_WIDTH}" height="{TILE_HEIGHT}" '
                f'rx="6" fill="{hatch if level == 0 else fill}" stroke="#1b1f23" '
                f'{DASHED if level == 0 else ""}/>'
                f'<text x="{middle}" y="{top + 32}" text-anchor="middle" font-size="19" '
                f'fill="{ink}"{_halo(level)}>{escape(tile["name"])}</text>'
                f'<text x="{middle}" y="{top + 68}" text-anchor="middle" font-size="28" '
                f'font-weight="700" fill="{ink}"{_halo(level)}>{tile["count"]}</text></g>')
    legend_top = len(rows) * (TILE_HEIGHT + GAP) + 8
    width = columns * (TILE_WIDTH + GAP) - GAP
    column_width = width // LEGEND_COLUMNS
    for index, (low, high) in enumerate(ranges):
        fill, _ink = LEVELS[index]
        column = index % LEGEND_COLUMNS
        if rtl:
            column = LEGEND_COLUMNS - 1 - column
        left = column * column_width
        top = legend_top + (index // LEGEND_COLUMNS) * LEGEND_ROW
        swatch_x, text_x, anchor = ((left + column_width - 28, left + column_width - 36, "end")
                                    if rtl else (left, left + 36, "start"))
        parts.append(
            f'<g class="legend"><rect x="{swatch_x}" y="{top}" width="28" height="22" '
            f'fill="{hatch if index == 0 else fill}" stroke="#1b1f23"/>'
            f'<text x="{text_x}" y="{top + 18}" font-size="19" text-anchor="{anchor}" '
            f'fill="#1b1f23">{escape(range_label(low, high))}</text></g>')
    legend_rows = -(-len(ranges) // LEGEND_COLUMNS)
    return _svg(ident, width, legend_top + legend_rows * LEGEND_ROW, title, desc,
                "".join(parts), "chart tile-map")


def _halo(level: int) -> str:
    """Text on the hatched tile of "none" gets a white outline so it stays readable."""
    return ' stroke="#ffffff" stroke-width="4" paint-order="stroke"' if level == 0 else ""


def _width(text: str, size: float) -> float:
    """About how wide ``text`` is set at ``size`` (generously: Ethiopic syllables and capitals
    are wider than the rest), for breaking a label before it runs out of its picture."""
    return size * sum(0.95 if "\u1200" <= c <= "\u139f" else 0.72 if c.isupper() else 0.6
                      for c in text)


def _lines(label: str, width: float, size: float) -> list[str]:
    """``label`` broken between words into lines of at most ``width``."""
    lines: list[str] = []
    for word in label.split():
        if lines and _width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def bar_chart(ident: str, items: list[tuple[str, int]], title: str, desc: str,
              rtl: bool = False) -> Markup:
    """One bar per item, its label above it (on more lines where it is long: a picture cuts
    off what runs past its edge) and its number beside it."""
    maximum = max((value for _label, value in items), default=0) or 1
    parts = []
    top = 0
    for label, value in items:
        lines = _lines(label, BAR_WIDTH, 18)
        extra = (len(lines) - 1) * LINE
        length = round((BAR_WIDTH - 60) * value / maximum) if value else 0
        if rtl:
            bar_x, label_x, anchor = BAR_WIDTH - length, BAR_WIDTH, "end"
            number_x, number_anchor = BAR_WIDTH - length - 6, "end"
        else:
            bar_x, label_x, anchor = 0, 0, "start"
            number_x, number_anchor = length + 6, "start"
        texts = "".join(
            f'<text x="{label_x}" y="{top + 17 + number * LINE}" font-size="18" '
            f'text-anchor="{anchor}" fill="#1b1f23">{escape(line)}</text>'
            for number, line in enumerate(lines))
        parts.append(
            f'<g class="bar"><title>{escape(label)}: {value}</title>{texts}'
            f'<rect x="{bar_x}" y="{top + extra + 24}" width="{max(length, 2)}" '
            f'height="{BAR_HEIGHT}" fill="#0b5563"/>'
            f'<text x="{number_x}" y="{top + extra + 41}" font-size="18" font-weight="700" '
            f'text-anchor="{number_anchor}" fill="#1b1f23">{value}</text></g>')
        top += BAR_ROW + extra
    return _svg(ident, BAR_WIDTH, max(top, BAR_ROW), title, desc, "".join(parts),
                "chart bar-chart")
