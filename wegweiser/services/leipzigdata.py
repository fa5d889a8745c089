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
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Area, JoinRequest, Organisation
from .hsds.mapping import Mapping, load_mapping
from .joining import check_join, file_suggestion
from .lookups import fold_key

LD = Namespace("http://leipzig-data.de/Data/Model/")
ORTSTEIL = "http://leipzig-data.de/Data/Ortsteil/"
ADDRESS = re.compile(r"^http://leipzig-data\.de/Data/(?P<postal>\d{5})\.(?P<city>[^.]+)\."
                     r"(?P<street>[^.]+)\.(?P<number>[^.]+)$")
MAPPING = Path(__file__).resolve().parents[1] / "data" / "leipzigdata" / "categories.toml"
SOURCE = "LeipzigData"
# The city whose associations the dumps describe: only its directory takes suggestions from
# them (a Dresden directory would get Leipzig's associations in its review queue).
SOURCE_CITY = "leipzig"
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


@dataclass
class SuggestionReport:
    filed: list[str]       # names suggested to the moderators now
    known: list[str]       # listed already, or suggested before (whatever was decided)
    refused: list[str]     # "name: why", records our import format does not accept


def _organisation_record(found: Suggestion, without: set[str]) -> dict:
    fields = {"name": found.name, "email": found.email, "phone": found.phone,
              "website": found.website, "street": found.street,
              "postal_code": found.postal_code, "city": found.city}
    return {"organisation": {**{k: v for k, v in fields.items() if k not in without},
                             "original_language": "de", "description": {}},
            "offers": []}


def _source(found: Suggestion) -> dict:
    return {"name": SOURCE, "uri": found.source_uri, "modified": found.modified,
            "headings": list(found.source_categories), "areas": list(found.areas),
            "categories": list(found.categories), "target_groups": list(found.target_groups),
            "other_names": list(found.other_names)}


def suggest(session: Session, suggestions: list[Suggestion],
            dry_run: bool = False) -> SuggestionReport:
    """File every suggestion not listed yet (same name) and not suggested before (same
    LeipzigData record) for the moderators. A field our format refuses (an old e-mail address
    that is not one) is left out, and the moderator sees the rest."""
    listed = {fold_key(name) for name in session.scalars(select(Organisation.name))}
    seen = set(session.scalars(select(JoinRequest.source_uri)
                               .where(JoinRequest.source_uri.is_not(None))))
    report = SuggestionReport([], [], [])
    for found in suggestions:
        names = {fold_key(n) for n in (found.name, *found.other_names)}
        if found.source_uri in seen or names & listed:
            report.known.append(found.name)
            continue
        checked, problems = check_join(session, _organisation_record(found, set()))
        if checked is None:
            dropped = {p.field.split(".")[-1] for p in problems}
            checked, problems = check_join(session, _organisation_record(found, dropped))
        if checked is None:
            report.refused.append(f"{found.name}: {'; '.join(str(p) for p in problems)}")
            continue
        if not dry_run:
            file_suggestion(session, checked, _source(found))
        seen.add(found.source_uri)
        listed |= names
        report.filed.append(found.name)
    return report


def known_areas(session: Session) -> set[str]:
    return set(session.scalars(select(Area.slug)))
