"""LeipzigData's RDF dumps of Leipzig's associations (github.com/LeipzigData/RDFData, CC0) read
as plain suggestions of organisations for moderators.

The dumps are old (mostly 2013–2018) and their street names were simplified to ASCII inside
address URIs ("04275.Leipzig.Kochstrasse.14"), so nothing read here is ever published as is:
every suggestion goes to the moderators' queue with a note of where it came from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, Namespace
from rdflib.exceptions import ParserError
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS

from .hsds.mapping import Mapping, load_mapping

LD = Namespace("http://leipzig-data.de/Data/Model/")
ORTSTEIL = "http://leipzig-data.de/Data/Ortsteil/"
ADDRESS = re.compile(r"^http://leipzig-data\.de/Data/(?P<postal>\d{5})\.(?P<city>[^.]+)\."
                     r"(?P<street>[^.]+)\.(?P<number>[^.]+)$")
MAPPING = Path(__file__).resolve().parents[1] / "data" / "leipzigdata" / "categories.toml"
SOURCE = "LeipzigData"
ORG = Namespace("http://www.w3.org/ns/org#")
# What the dumps call an organisation; their offers (ld:Angebot) and meeting points without an
# address (ld:Treffpunkt) are not organisations.
ORGANISATION_TYPES = {ORG.Organization, ORG.OrganizationalUnit, LD.Verein, LD.SeniorenBuero,
                      LD.Unternehmen}


class LeipzigDataError(ValueError):
    """A file that is not a readable RDF dump."""


@dataclass(frozen=True)
class Suggestion:
    """One organisation as LeipzigData describes it, in our terms where a mapping exists."""

    source_uri: str
    name: str
    other_names: tuple[str, ...] = ()
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    areas: tuple[str, ...] = ()            # our Ortsteil slugs
    categories: tuple[str, ...] = ()       # our category slugs
    target_groups: tuple[str, ...] = ()    # our target-group slugs
    source_categories: tuple[str, ...] = ()  # LeipzigData's own headings, as given
    modified: str | None = None


def street_from_uri(street: str) -> str:
    """``NaumburgerStrasse`` → ``Naumburger Straße``: the URI joined the words and dropped
    umlauts; spaces and ß come back, umlauts cannot (the note asks moderators to check)."""
    spaced = re.sub(r"(?<=[a-zäöü])(?=[A-ZÄÖÜ])", " ", street)
    return re.sub(r"(?i)strasse\b", lambda m: "Straße" if m.group()[0] == "S" else "straße",
                  spaced)


def _text(graph: Graph, subject, predicate) -> list[str]:
    return sorted(str(o).strip() for o in graph.objects(subject, predicate) if str(o).strip())


def _address(graph: Graph, subject) -> dict:
    for uri in sorted(str(o) for o in graph.objects(subject, LD.hasAddress)):
        match = ADDRESS.match(uri)
        if match:
            return {"street": f"{street_from_uri(match['street'])} {match['number']}",
                    "postal_code": match["postal"], "city": street_from_uri(match["city"])}
    return {}


def _mapped(mapping: Mapping, kind: str, headings: list[str]) -> tuple[str, ...]:
    slugs: list[str] = []
    for heading in headings:
        for slug in mapping.lookup(kind, heading):
            if slug not in slugs:
                slugs.append(slug)
    return tuple(slugs)


def read_suggestions(paths: list[Path], headings: set[str] | None = None,
                     known_areas: set[str] | None = None,
                     mapping: Mapping | None = None) -> list[Suggestion]:
    """Every organisation in the dumps (a labelled subject of one of ORGANISATION_TYPES);
    with ``headings``, only those filed under one of them (e.g.
    {"Interkulturelle Vereine"}). ``known_areas``: our Ortsteil slugs to match against."""
    mapping = mapping or load_mapping(MAPPING)
    graph = Graph()
    for path in paths:
        try:
            graph.parse(path, format="turtle")
        except (OSError, ParserError, SyntaxError, ValueError) as exc:
            raise LeipzigDataError(f"{Path(path).name}: not a readable Turtle file ({exc})") \
                from exc
    found = []
    for subject in sorted(set(graph.subjects(RDFS.label, None)), key=str):
        if not set(graph.objects(subject, RDF.type)) & ORGANISATION_TYPES:
            continue
        source_headings = _text(graph, subject, LD.hasCategories)
        if headings is not None and not headings & set(source_headings):
            continue
        labels = [str(o).strip() for o in graph.objects(subject, RDFS.label)
                  if isinstance(o, Literal) and str(o).strip()]
        labels.sort(key=lambda label: (-len(label), label))
        areas = []
        for ortsteil in graph.objects(subject, LD.hasOrtsteil):
            slug = str(ortsteil).removeprefix(ORTSTEIL).lower()
            if known_areas is None or slug in known_areas:
                areas.append(slug)
        websites = [str(o) for o in graph.objects(subject, FOAF.homepage)]
        found.append(Suggestion(
            source_uri=str(subject), name=labels[0], other_names=tuple(labels[1:]),
            email=next(iter(_text(graph, subject, FOAF.mbox)), None),
            phone=next(iter(_text(graph, subject, FOAF.phone)), None),
            website=sorted(websites)[0] if websites else None,
            areas=tuple(sorted(set(areas))),
            categories=_mapped(mapping, "categories", source_headings),
            target_groups=_mapped(mapping, "target_groups", source_headings),
            source_categories=tuple(source_headings),
            modified=next(iter(_text(graph, subject, DCTERMS.modified)), None),
            **_address(graph, subject)))
    return found
