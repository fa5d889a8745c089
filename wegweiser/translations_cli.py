"""``wegweiser translations extract|update|compile``: the gettext catalogs, around pybabel."""
from __future__ import annotations

import click
from babel.messages.frontend import CommandLineInterface

from .config import PROJECT_ROOT

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
    """Start the catalog of a new LANGUAGE."""
    _pybabel("init", "-i", str(TEMPLATE), "-d", str(CATALOGS), "-l", language)


@translations.command("compile")
def compile_catalogs() -> None:
    """Compile every catalog to the .mo files the site reads."""
    _pybabel("compile", "-d", str(CATALOGS), "--statistics")
