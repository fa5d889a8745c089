"""LeipzigData's RDF dumps become suggestions of organisations, never published entries."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from wegweiser.config import PROJECT_ROOT
from wegweiser.services.leipzigdata import (
    LeipzigDataError,
    read_suggestions,
    street_from_uri,
)

from .conftest import unavailable

DUMPS = PROJECT_ROOT.parent / "shared" / "datasets" / "leipzig-data-orgs"

SAMPLE = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix ld: <http://leipzig-data.de/Data/Model/> .
@prefix ldot: <http://leipzig-data.de/Data/Ortsteil/> .
@prefix dct: <http://purl.org/dc/terms/> .

ld:Verein a owl:Class ; rdfs:label "Verein" .

<http://leipzig-data.de/Data/Verein/Beispiel>
    ld:hasAddress <http://leipzig-data.de/Data/04229.Leipzig.NaumburgerStrasse.26A> ;
    ld:hasCategories "Interkulturelle Vereine", "Frauenvereine", "Briefmarken" ;
    ld:hasOrtsteil ldot:Plagwitz, ldot:Nirgendwo ;
    dct:modified "2017-05-03" ;
    a ld:Verein ;
    rdfs:label "Beispiel", "Beispielverein Leipzig e.V." ;
    foaf:homepage <http://example.org/> ;
    foaf:mbox "info@example.org" .

<http://leipzig-data.de/Data/Verein/Sport>
    ld:hasCategories "Sport" ;
    a ld:Verein ;
    rdfs:label "Sportverein" .

<http://leipzig-data.de/Data/Treffpunkt/Park>
    a ld:Treffpunkt ;
    rdfs:label "Im Park" .
"""


def leipzig_ortsteile() -> set[str]:
    areas = tomllib.loads((PROJECT_ROOT / "wegweiser" / "data" / "reference" /
                           "leipzig-areas.toml").read_text(encoding="utf-8"))
    return {o["slug"] for district in areas["stadtbezirk"] for o in district["ortsteile"]}


@pytest.fixture
def sample(tmp_path) -> Path:
    path = tmp_path / "Vereine.ttl"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


def test_an_association_becomes_a_suggestion_in_our_terms(sample):
    suggestions = read_suggestions([sample], headings={"Interkulturelle Vereine"},
                                   known_areas=leipzig_ortsteile())
    assert len(suggestions) == 1
    found = suggestions[0]
    assert found.name == "Beispielverein Leipzig e.V."
    assert found.other_names == ("Beispiel",)
    assert (found.street, found.postal_code, found.city) == \
        ("Naumburger Straße 26A", "04229", "Leipzig")
    assert found.areas == ("plagwitz",)  # an Ortsteil we do not know is left out
    assert found.categories == ("meeting-mentoring",)
    assert found.target_groups == ("women",)
    assert found.source_categories == ("Briefmarken", "Frauenvereine", "Interkulturelle Vereine")
    assert (found.email, found.website, found.modified) == \
        ("info@example.org", "http://example.org/", "2017-05-03")


def test_without_a_heading_every_organisation_is_read_but_no_meeting_point(sample):
    names = [s.name for s in read_suggestions([sample])]
    assert names == ["Beispielverein Leipzig e.V.", "Sportverein"]


@pytest.mark.parametrize("raw, street", [
    ("Kochstrasse", "Kochstraße"),
    ("Gerhard-Ellrodt-Strasse", "Gerhard-Ellrodt-Straße"),
    ("KarlLiebknechtStrasse", "Karl Liebknecht Straße"),
    ("Dorotheenplatz", "Dorotheenplatz"),
])
def test_street_names_get_their_spaces_and_sharp_s_back(raw, street):
    assert street_from_uri(raw) == street


def test_a_broken_file_is_refused_with_its_name(tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text("<http://x> rdfs:label", encoding="utf-8")
    with pytest.raises(LeipzigDataError, match="broken.ttl"):
        read_suggestions([path])


def test_the_55_intercultural_associations_of_the_real_dump():
    dump = DUMPS / "Vereine.ttl"
    if not dump.exists():
        unavailable(f"{dump} is missing (the shared datasets)")
    suggestions = read_suggestions([dump], headings={"Interkulturelle Vereine"},
                                   known_areas=leipzig_ortsteile())
    assert len(suggestions) == 55
    assert len({s.source_uri for s in suggestions}) == 55
    assert all(s.name and "meeting-mentoring" in s.categories for s in suggestions)
    assert sum(1 for s in suggestions if s.street and s.postal_code) >= 50
    assert sum(1 for s in suggestions if s.areas) >= 45
