"""``wegweiser translations extract|update|compile``: the gettext catalogs, around pybabel."""
from __future__ import annotations

import click
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from .config import PROJECT_ROOT
from .languages import all_languages

CATALOGS = PROJECT_ROOT / "translations"
TEMPLATE = CATALOGS / "messages.pot"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


@click.group("translations")
def translations() -> None:
    """Manage the interface translations (gettext catalogs in translations/)."""


@translations.command("extract")
def extract() -> None:
    """Collect every translatable string of code and templates into messages.pot."""
    _pybabel("extract", "-F", str(PROJECT_ROOT / "babel.cfg"), "-k", "_l", "--no-location",
             "--sort-output", "--no-wrap", "--project", "Wegweiser", "-o", str(TEMPLATE),
             str(PROJECT_ROOT / "wegweiser"), str(PROJECT_ROOT / "templates"))


@translations.command("update")
def update() -> None:
    """Extract, then bring every language's catalog in line with messages.pot."""
    extract.callback()
    _pybabel("update", "-i", str(TEMPLATE), "-d", str(CATALOGS), "--no-fuzzy-matching",
             "--ignore-obsolete", "--no-wrap")


@translations.command("init")
@click.argument("language")
def init(language: str) -> None:
    """Start the catalog of LANGUAGE (a code of languages.toml, e.g. ps or prs)."""
    if language not in all_languages():
        raise click.BadParameter("add the language to data/reference/languages.toml first",
                                 param_hint="LANGUAGE")
    info = all_languages()[language]
    _pybabel("init", "-i", str(TEMPLATE), "-d", str(CATALOGS), "-l", info.locale)
    set_plural_forms(catalog_path(info.locale), info.plural_forms)


def catalog_path(locale: str):
    return CATALOGS / locale / "LC_MESSAGES" / "messages.po"


def set_plural_forms(path, plural_forms: str) -> None:
    """Give a catalog the data's plural rule (pybabel writes CLDR's)."""
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    nplurals, expression = (part.split("=", 1)[1].strip().rstrip(";")
                            for part in plural_forms.split(";")[:2])
    catalog._num_plurals, catalog._plural_expr = int(nplurals), expression
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=0)


@translations.command("compile")
def compile_catalogs() -> None:
    """Compile every catalog to the .mo files the site reads."""
    _pybabel("compile", "-d", str(CATALOGS), "--statistics")
