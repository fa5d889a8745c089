"""``wegweiser import --format hsds``: HSDS JSON files and Ohana CSV folders, converted record by
record and imported through the JSON import (same validation, same operations, all or
nothing), with a report of everything our model could not hold."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from ... import db
from ..importer import ImportReport, Problem
from ..lookups import Lookups
from ..records import keep_closures
from ..setup import import_records
from .convert import Converter, Dropped
from .export import Names
from .mapping import MappingError, check_mapping, load_mapping
from .ohana import is_ohana_folder, read_ohana_folder
from .sources import Collected, read_json_files
from .tabular import is_tabular_folder, read_tabular_folder


@dataclass
class HsdsImportReport:
    result: ImportReport
    dropped: list[Dropped] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result.ok

    def dropped_by_field(self) -> dict[tuple[str, str], list[str]]:
        """(field, reason) → the records it concerns, for a short summary."""
        summary: dict[tuple[str, str], list[str]] = {}
        for entry in self.dropped:
            summary.setdefault((entry.field, entry.reason), []).append(entry.record)
        return summary


def collect_sources(paths: list[Path]) -> Collected:
    found = Collected()
    for path in paths:
        path = Path(path)
        if is_ohana_folder(path):
            try:
                read_ohana_folder(path, found)
            except (KeyError, UnicodeDecodeError, csv.Error) as exc:
                found.unreadable.append((str(path), f"is not an Ohana CSV folder: {exc!r}"))
        elif is_tabular_folder(path):
            try:
                read_tabular_folder(path, found)
            except (UnicodeDecodeError, csv.Error) as exc:
                found.unreadable.append((str(path), f"is not an HSDS CSV folder: {exc!r}"))
        elif path.is_dir():
            read_json_files(sorted(path.glob("*.json")), found)
        else:
            read_json_files([path], found)
    return found


def convert(session, found: Collected, mapping) -> tuple[dict, Converter, list[Problem]]:
    """Records of the import format; a record shaped so oddly that converting it fails is a
    problem of the import (which then writes nothing), never a crash."""
    names = Names.load(session)
    converter = Converter(Lookups.load(session), mapping, (names.state_province, names.country))
    organisations, offers, org_ids, problems = [], [], {}, []

    def safely(convert_one, hsds_id: str, *args):
        try:
            return convert_one(*args)
        except (TypeError, AttributeError, ValueError) as error:
            problems.append(Problem(hsds_id, "(record)",
                                    f"is not shaped as HSDS 3.0 says: {error!r}"))
            return None

    for hsds_id, org in found.organizations.items():
        record = safely(converter.organization, hsds_id, org)
        if record is not None:
            organisations.append(record)
            org_ids[hsds_id] = record["id"]
    for hsds_id, service in found.services.items():
        record = safely(converter.service, hsds_id, service, org_ids)
        if record is not None:
            offers.append(record)
    return {"organisations": organisations, "offers": offers}, converter, problems


def import_hsds(paths: list[Path], actor: str, mapping_path: Path | None = None,
                dry_run: bool = False, progress=None) -> HsdsImportReport:
    session = db.session()
    found = collect_sources(paths)
    problems = [Problem(where, "(file)", why) for where, why in found.unreadable]
    try:
        mapping = load_mapping(mapping_path)
    except MappingError as error:
        problems.append(Problem(str(mapping_path), "(mapping)", str(error)))
        mapping = None
    if mapping is not None:
        problems += [Problem(mapping.name, "(mapping)", wrong)
                     for wrong in check_mapping(mapping, Lookups.load(session))]
    if problems:
        return HsdsImportReport(ImportReport(problems=problems, dry_run=dry_run),
                                ignored=found.ignored)
    data, converter, problems = convert(session, found, mapping)
    if problems:
        return HsdsImportReport(ImportReport(problems=problems, dry_run=dry_run),
                                converter.dropped, found.ignored)
    # HSDS 3.0 has no place for closures: only our extension carries them
    keep_closures(session, [offer for offer in data["offers"] if "closures" not in offer])
    result = import_records(data, actor, dry_run=dry_run, progress=progress)
    return HsdsImportReport(result, converter.dropped, found.ignored)
