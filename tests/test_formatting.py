"""Descriptions as editors write them (formatting.render_markdown): paragraphs, single line
breaks, lists with "- " right after a line, links; anything in angle brackets shown as typed,
never dropped, and never HTML."""
from __future__ import annotations

import pytest

from wegweiser.formatting import render_markdown

from .helpers import OWN, form_of, signed_in, trust


def html(text: str) -> str:
    return str(render_markdown(text)).replace("\n", "")


def test_a_list_may_follow_a_line_directly():
    assert html("Neu: Sprachcafé\n- Kaffee\n- Gespräche") == \
        "<p>Neu: Sprachcafé</p><ul><li>Kaffee</li><li>Gespräche</li></ul>"
    assert html("Mitbringen:\n* Pass\n+ Meldebescheinigung") == \
        "<p>Mitbringen:</p><ul><li>Pass</li><li>Meldebescheinigung</li></ul>"
    assert html("Absatz\n\n- eins\n- zwei") == "<p>Absatz</p><ul><li>eins</li><li>zwei</li></ul>"


def test_numbers_and_dashes_inside_text_stay_as_typed():
    assert html("Raum 5\n2. Etage") == "<p>Raum 5<br>2. Etage</p>"
    assert html("2024 - 2025\n-5 Grad") == "<p>2024 - 2025<br>-5 Grad</p>"


def test_a_single_line_break_is_kept():
    assert html("Montag: Beratung\nDienstag: Café\n\nOhne Anmeldung.") == \
        "<p>Montag: Beratung<br>Dienstag: Café</p><p>Ohne Anmeldung.</p>"


@pytest.mark.parametrize(("typed", "shown"), [
    ("Bitte bringen Sie <Ihren Ausweis> mit.",
     "<p>Bitte bringen Sie &lt;Ihren Ausweis&gt; mit.</p>"),
    ("<b>fett</b> & 3 < 4", "<p>&lt;b&gt;fett&lt;/b&gt; &amp; 3 &lt; 4</p>"),
    ('<script>alert("x")</script>', "<p>&lt;script&gt;alert(\"x\")&lt;/script&gt;</p>"),
    ("<div>\nBlock\n</div>", "<p>&lt;div&gt;<br>Block<br>&lt;/div&gt;</p>"),
    ("<!-- Notiz -->", "<p>&lt;!-- Notiz --&gt;</p>"),
])
def test_angle_brackets_are_shown_as_typed_never_as_html(typed, shown):
    assert html(typed) == shown


def test_links_as_before_and_only_safe_ones():
    assert html("[Anmeldung](https://example.org/a) oder <https://example.org>") == (
        '<p><a href="https://example.org/a" rel="noopener noreferrer nofollow">Anmeldung</a>'
        ' oder <a href="https://example.org" rel="noopener noreferrer nofollow">'
        "https://example.org</a></p>")
    assert "javascript" not in html("[x](javascript:alert(1))")
    assert "<img" not in html("![Bild](https://example.org/x.png)")


def test_the_public_page_shows_every_word_of_a_description(directory):
    trust(directory, "a-sprachwerk-ost")
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    data = form_of(editor, OWN)
    data["description"] = ("Neu: Sprachcafé\r\n- Kaffee\r\n- Gespräche\r\n\r\n"
                           "Bitte bringen Sie <Ihren Ausweis> mit.\r\nDanke!")
    assert editor.post(f"/de/manage/offers/{OWN}/edit", data=data).status_code == 303
    page = editor.get(f"/de/offers/{OWN}").get_data(as_text=True)
    assert "<ul>\n<li>Kaffee</li>\n<li>Gespräche</li>\n</ul>" in page
    assert "Bitte bringen Sie &lt;Ihren Ausweis&gt; mit.<br>\nDanke!" in page
