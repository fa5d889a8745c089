"""Every interface language has a complete, compiled catalog of every string in the code."""
from __future__ import annotations

import gettext
import io
import re
import subprocess
import sys

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from wegweiser.config import PROJECT_ROOT
from wegweiser.languages import all_languages, interface_languages, language

CATALOGS = PROJECT_ROOT / "translations"
UI_LANGUAGES = sorted(p.name for p in CATALOGS.iterdir() if (p / "LC_MESSAGES").is_dir())


def read_catalog(lang: str):
    with open(CATALOGS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


@pytest.fixture(scope="module")
def current_msgids(tmp_path_factory) -> set:
    """Extract the strings of the code as it is now."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
                    "-F", str(PROJECT_ROOT / "babel.cfg"), "-k", "_l", "--no-location",
                    "-o", str(pot), str(PROJECT_ROOT / "wegweiser"),
                    str(PROJECT_ROOT / "templates")], check=True, cwd=PROJECT_ROOT)
    with open(pot, "rb") as handle:
        return {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(handle) if m.id}


def test_the_site_offers_at_least_german_and_english():
    assert {"de", "en"} <= set(UI_LANGUAGES)


@pytest.mark.parametrize("lang", UI_LANGUAGES)
def test_catalog_is_complete_and_not_fuzzy(lang, current_msgids):
    catalog = read_catalog(lang)
    ids = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}
    assert current_msgids <= ids, f"run `wegweiser translations update`: {current_msgids - ids}"
    for message in catalog:
        if not message.id:
            continue
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(s.strip() for s in strings), f"{lang}: untranslated {message.id!r}"
        assert not message.fuzzy, f"{lang}: fuzzy {message.id!r}"
        if isinstance(message.id, str) and "%(" in message.id:
            assert sorted(_placeholders(message.id)) == sorted(_placeholders(message.string))


def _messages(catalog) -> dict:
    """What a catalog translates, as {msgid: msgstr}; headers (which name the Babel version
    that wrote the file) and untranslated entries left out, so only content is compared."""
    def plain(value):
        return value if isinstance(value, str) else tuple(value)

    return {plain(m.id): plain(m.string) for m in catalog
            if m.id and any(plain(m.string)) and not m.fuzzy}


@pytest.mark.parametrize("lang", UI_LANGUAGES)
def test_compiled_catalog_is_up_to_date(lang):
    with open(CATALOGS / lang / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        compiled = read_mo(handle)
    assert _messages(compiled) == _messages(read_catalog(lang)), \
        "run `wegweiser translations compile`"
    assert compiled.plural_forms == read_catalog(lang).plural_forms


def test_catalog_comparison_ignores_the_header_but_not_a_changed_translation():
    """The check above must fail for a stale translation and pass whatever Babel wrote it."""
    catalog = read_catalog("de")
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    compiled = read_mo(buffer)
    compiled.header_comment = "# written by another Babel version"
    compiled.mime_headers = [("Generated-By", "Babel 99.0")]
    assert _messages(compiled) == _messages(catalog)
    first = next(m for m in compiled if m.id and isinstance(m.id, str) and m.string)
    first.string = first.string + " (old)"
    assert _messages(compiled) != _messages(catalog)


def _placeholders(text: str) -> list[str]:
    import re

    return re.findall(r"%\((\w+)\)", text)


def test_pages_are_translated(demo_client):
    german = demo_client.get("/de/").get_data(as_text=True)
    english = demo_client.get("/en/").get_data(as_text=True)
    assert "Nach Themen suchen" in german and "Browse by topic" in english
    assert "Gesundheit" in german and "Health" in english


@pytest.mark.parametrize("count, expected", [(0, "لا توجد عروض"), (1, "عرض واحد"), (2, "عرضان"),
                                             (3, "3 عروض"), (11, "11 عرضًا"), (100, "100 عرض")])
def test_arabic_counts_use_the_catalogs_plural_forms(count, expected):
    """Arabic has six plural forms: never "0 عرض" or "1 عرض"."""
    from babel.support import Translations

    translations = Translations.load(str(CATALOGS), ["ar"])
    text = translations.ngettext("%(num)d offer", "%(num)d offers", count) % {"num": count}
    assert text == expected


def _plural_rule(plural_forms: str):
    count, expression = (part.split("=", 1)[1].strip() for part in plural_forms.split(";")[:2])
    return int(count), gettext.c2py(expression)


@pytest.mark.parametrize("lang", interface_languages())
def test_every_interface_language_has_a_catalog_with_its_plural_rule(lang):
    """Languages are data: each ui language of languages.toml has its catalog (under its Babel
    locale) whose plural rule picks the same form as the data's for every count."""
    info = language(lang)
    catalog = read_catalog(info.locale)
    count, rule = _plural_rule(info.plural_forms)
    assert catalog.num_plurals == count
    assert all(gettext.c2py(catalog.plural_expr)(n) == rule(n) for n in range(1001))


def test_arabic_counts_take_the_cldr_form():
    """11–99 take the singular accusative ("11 عرضًا"), 100 the plural form: CLDR's "many"
    and "other", which an older Babel had mixed up."""
    _count, rule = _plural_rule(language("ar").plural_forms)
    assert [rule(n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 102, 111)] == [0, 1, 2, 3, 3, 4, 4, 5,
                                                                            5, 4]


def test_direction_and_names_come_from_the_data_and_babel():
    for code in ("ar", "fa", "prs", "ps", "ckb"):
        assert language(code).direction == "rtl"
    for code in ("de", "kmr", "ti", "so", "uk"):
        assert language(code).direction == "ltr"
    for info in all_languages().values():
        if info.babel_locale is not None:
            assert info.direction == ("rtl" if info.rtl else "ltr"), info.code
    assert language("prs").babel_locale.territory == "AF"
    assert language("ckb").name_in("de") == "Kurdisch (Sorani)"


def test_no_language_list_is_written_into_the_code():
    """Adding a language is data plus a catalog: no module spells out the interface languages."""
    pattern = re.compile(r"""["']de["'],\s*["']en["'],\s*["']ar["']|de,en,ar""")
    offenders = [str(path.relative_to(PROJECT_ROOT)) for path in
                 (PROJECT_ROOT / "wegweiser").rglob("*.py") if pattern.search(path.read_text())]
    assert offenders == []


def test_arabic_counts_read_right_on_the_page(demo_app):
    """The catalog's forms follow the rule: 11 offers "عرضًا", 100 offers "عرض", 3 "عروض"."""
    from flask_babel import ngettext

    from wegweiser.i18n import in_language

    with demo_app.test_request_context("/ar/"), in_language("ar"):
        said = {n: ngettext("%(num)d offer", "%(num)d offers", n) for n in (3, 11, 100)}
    assert said == {3: "3 عروض", 11: "11 عرضًا", 100: "100 عرض"}


def test_every_vocabulary_speaks_every_interface_language():
    """A category, target group or language without a label in an interface language shows up
    in English there; a concept without its words is not found from that language."""
    import tomllib

    from wegweiser.languages import LANGUAGES_FILE

    reference = LANGUAGES_FILE.parent
    languages = set(interface_languages())
    for name, table, key in (("categories.toml", "category", "slug"),
                             ("target-groups.toml", "target_group", "slug"),
                             ("languages.toml", "language", "code")):
        with open(reference / name, "rb") as handle:
            for entry in tomllib.load(handle)[table]:
                assert languages <= set(entry["labels"]), (name, entry[key])
                if table != "language":
                    assert languages <= set(entry["synonyms"]), (name, entry[key])
    with open(reference / "help-kinds.toml", "rb") as handle:
        for entry in tomllib.load(handle)["kind"]:
            assert languages <= set(entry["labels"]), ("help-kinds.toml", entry["slug"])
    with open(reference / "concepts.toml", "rb") as handle:
        for concept in tomllib.load(handle)["concept"]:
            assert languages <= set(concept), concept["id"]
