"""The ``wegweiser`` command line."""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_babel import force_locale
from werkzeug.serving import run_simple

from . import create_app, db
from .cities import UnknownCity, city_info, current_city
from .search import rebuild_index, search_service
from .services.importer import FileTooLarge, ImportReport, read_limited
from .services.setup import (
    OtherCitysDatabase,
    check_city,
    demo_files,
    has_offers,
    import_demo,
    import_files,
    initialise_database,
)
from .translations_cli import translations


def _create_app():
    """The app, or a plain error message (no traceback) when the settings name no known city."""
    try:
        return create_app()
    except UnknownCity as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Wegweiser: a multilingual directory of support offers for refugees.

    Settings come from environment variables (WEGWEISER_CITY, DATABASE_URL,
    WEGWEISER_INDEX_DIR, SECRET_KEY, …) over the embedded defaults: Leipzig, SQLite in
    instance/ and the index in index/. Set WEGWEISER_CITY before the first `init`: a database
    holds the directory of one city.
    """


main.add_command(translations)


def _progress(label: str):
    state: dict = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
            state["bar"].__enter__()
        state["bar"].update(done - state.get("done", 0))
        state["done"] = done
        if done >= total:
            state["bar"].__exit__(None, None, None)

    return update


def _processes() -> int:
    return max(1, min(4, os.cpu_count() or 1))


@main.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database and load the reference data of the city WEGWEISER_CITY
    names: its areas, the vocabularies (safe to run again)."""
    counts = _initialise()
    counts = {("Stadtteile" if current_city().quarter_term == "Stadtteil" else "Ortsteile")
              if kind == "areas" else kind: n for kind, n in counts.items()}
    click.echo(f"Database ready for {current_city().name}: "
               + ", ".join(f"{n} {k}" for k, n in counts.items()))


def _initialise() -> dict[str, int]:
    try:
        return initialise_database()
    except OtherCitysDatabase as exc:
        raise click.ClickException(str(exc)) from exc


def this_citys_database(command):
    """Run ``command`` only on a database of the city WEGWEISER_CITY names: an import of
    Dresden's offers into Leipzig's database would only report unknown areas, a reindex or an
    export would quietly work on the other city's directory."""
    @functools.wraps(command)
    def checked(*args, **kwargs):
        try:
            check_city(db.session())
        except OtherCitysDatabase as exc:
            raise click.ClickException(str(exc)) from exc
        return command(*args, **kwargs)

    return checked


def _print_report(report: ImportReport) -> None:
    with force_locale("en"):  # the command line speaks English
        for problem in report.problems:
            click.echo(f"invalid: {problem}", err=True)
    if report.problems:
        click.echo(f"{len(report.problems)} problem(s) found; nothing was imported.", err=True)
        return
    verb = "would be" if report.dry_run else "were"
    for kind in report.created:
        click.echo(f"{kind}: {report.created[kind]} new, {report.updated[kind]} changed, "
                   f"{report.unchanged[kind]} unchanged" + (" (dry run)" if report.dry_run else ""))
    if report.dry_run:
        click.echo(f"All records are valid; nothing {verb} written.")


@main.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt",
              type=click.Choice(["json", "hsds", "csv", "xlsx", "leipzigdata"]),
              default="json", show_default=True, help="json: Wegweiser's import format; hsds: "
              "Open Referral HSDS 3.0 JSON files or folders, or an Ohana API CSV folder; csv, "
              "xlsx: an offer spreadsheet, one row per offer (see the README's Spreadsheets); "
              "leipzigdata: LeipzigData's RDF dumps (Turtle), whose organisations are "
              "suggested to the moderators, never published.")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="hsds: mapping file of the source's taxonomy (default: "
                   "wegweiser/data/hsds/default.toml).")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path),
              help="hsds: write every dropped field of every record to this JSON file.")
@click.option("--heading", "headings", multiple=True,
              help="leipzigdata: only organisations listed under this heading, e.g. "
                   "\"Interkulturelle Vereine\" (repeatable).")
@click.option("--dry-run", is_flag=True, help="Only validate and report; change nothing.")
@with_appcontext
@this_citys_database
def import_command(files: tuple[Path, ...], fmt: str, mapping: Path | None,
                   report_file: Path | None, headings: tuple[str, ...],
                   dry_run: bool) -> None:
    """Import organisations and offers from FILES (all or nothing, idempotent by id).

    Every invalid record is reported with its id, field and reason, and the command exits
    with status 1 without changing anything. With --format hsds, what our model cannot hold
    is listed as dropped, with the reason.
    """
    actor = "import:" + ",".join(f.name for f in files)
    if fmt == "leipzigdata":
        _suggest_from_leipzigdata(files, set(headings) or None, dry_run)
        return
    if fmt in ("csv", "xlsx"):
        _import_sheet(files, fmt, actor, dry_run)
        return
    if fmt == "json":
        folders = [str(f) for f in files if f.is_dir()]
        if folders:
            raise click.BadParameter(f"{', '.join(folders)}: a folder (JSON import takes files)",
                                     param_hint="FILES")
        report = import_files(list(files), actor, dry_run=dry_run,
                              progress=_progress("Importing"))
    else:
        from .services.hsds.importing import import_hsds

        hsds_report = import_hsds(list(files), actor, mapping, dry_run=dry_run,
                                  progress=_progress("Importing"))
        _print_dropped(hsds_report, report_file)
        report = hsds_report.result
    _print_report(report)
    if not report.ok:
        sys.exit(1)
    if not dry_run:
        search_service().catch_up(db.session(), fully=True, processes=_processes())


def _suggest_from_leipzigdata(files: tuple[Path, ...], headings: set[str] | None,
                              dry_run: bool) -> None:
    from .services import leipzigdata

    if current_city().slug != leipzigdata.SOURCE_CITY:
        raise click.ClickException(
            f"{leipzigdata.SOURCE} describes the associations of "
            f"{city_info(leipzigdata.SOURCE_CITY).name}; this directory serves "
            f"{current_city().name} (WEGWEISER_CITY={current_city().slug}).")
    session = db.session()
    try:
        found = leipzigdata.read_suggestions(list(files), headings,
                                             leipzigdata.known_areas(session))
    except leipzigdata.LeipzigDataError as error:
        raise click.ClickException(str(error)) from error
    report = leipzigdata.suggest(session, found, dry_run=dry_run)
    if dry_run:
        session.rollback()
    else:
        session.commit()
    for line in report.refused:
        click.echo(f"refused: {line}", err=True)
    click.echo(f"{len(found)} organisations read: {len(report.filed)} "
               f"{'would be ' if dry_run else ''}suggested to the moderators, "
               f"{len(report.known)} listed or suggested before, {len(report.refused)} refused.")


def _import_sheet(files: tuple[Path, ...], fmt: str, actor: str, dry_run: bool) -> None:
    from .services.sheets.files import UnreadableSheet, read_sheet
    from .services.sheets.importing import check_sheet, import_sheet

    if len(files) != 1 or files[0].is_dir():
        raise click.BadParameter("one spreadsheet file", param_hint="FILES")
    try:
        sheet = read_sheet(read_limited(files[0]), fmt)
    except FileTooLarge as error:
        with force_locale("en"):
            raise click.ClickException(f"{files[0]}: {error.args[0]}") from error
    except UnreadableSheet as error:
        with force_locale("en"):
            raise click.ClickException(f"{files[0]}: {error.reason}") from error
    session = db.session()
    check = (check_sheet if dry_run else import_sheet)(session, sheet, actor)
    with force_locale("en"):  # the command line speaks English
        for problem in check.problems:
            click.echo(f"invalid: {problem}", err=True)
    if check.problems:
        click.echo(f"{len(check.problems)} problem(s) found; nothing was imported.", err=True)
        sys.exit(1)
    _print_report(check.report)
    if not dry_run:
        search_service().catch_up(session, fully=True, processes=_processes())


def _print_dropped(report, report_file: Path | None) -> None:
    with force_locale("en"):  # the command line speaks English
        ignored = [(where, str(why)) for where, why in report.ignored]
    for where, why in ignored:
        click.echo(f"ignored: {where}: {why}", err=True)
    for (field, reason), records in report.dropped_by_field().items():
        click.echo(f"dropped: {field}: {reason} ({len(records)} record(s), e.g. {records[0]})",
                   err=True)
    if report_file is not None:
        import json

        entries = [{"record": d.record, "field": d.field, "reason": d.reason}
                   for d in report.dropped]
        _write(report_file, json.dumps({"dropped": entries, "ignored": [
            {"where": w, "reason": r} for w, r in ignored]}, ensure_ascii=False, indent=1))
        click.echo(f"Wrote the report of {len(entries)} dropped field(s) to {report_file}",
                   err=True)


def _write(path: Path, text: str) -> None:
    _write_out(path, text.encode("utf-8"))


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(["hsds", "json", "csv", "xlsx"]),
              default="hsds", show_default=True,
              help="hsds: Open Referral HSDS 3.0 (services and organizations, JSON); json: "
                   "Wegweiser's import format (a dump that imports back); csv, xlsx: the "
                   "offer spreadsheet, one row per offer.")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
@this_citys_database
def export_command(fmt: str, file: Path) -> None:
    """Write every published offer and its organisation to FILE ("-": standard output), with
    the data licence (WEGWEISER_DATA_LICENCE) stated in the file."""
    import json

    from .services.hsds import data_licence

    licence, session = data_licence(current_app.config), db.session()
    if fmt in ("csv", "xlsx"):
        from .i18n import ui_languages
        from .services.sheets.exporting import directory_sheet
        from .services.sheets.files import write_csv, write_xlsx

        content = directory_sheet(session, ui_languages(), licence, current_city().site_name)
        data = (write_csv if fmt == "csv" else write_xlsx)(content)
        _write_out(file, data)
        click.echo(f"Wrote {len(content.rows)} offers ({fmt}) to {file}", err=True)
        return
    if fmt == "json":
        from .services.sheets.exporting import directory_data

        document = directory_data(session, licence, current_city().site_name)
        summary = f"{len(document['offers'])} offers and " \
                  f"{len(document['organisations'])} organisations (import format)"
    else:
        from .services.hsds.export import export_document

        document = export_document(session, licence)
        summary = f"{len(document['services'])} services and " \
                  f"{len(document['organizations'])} organizations (HSDS 3.0)"
    _write_out(file, (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode())
    click.echo(f"Wrote {summary} to {file}", err=True)


def _write_out(file: Path, data: bytes) -> None:
    if str(file) == "-":
        click.echo(data, nl=False)  # bytes go to the binary stream
        return
    try:
        file.write_bytes(data)
    except OSError as error:
        raise click.FileError(str(file), hint=error.strerror or str(error)) from error


@main.command("reindex")
@with_appcontext
@this_citys_database
def reindex_command() -> None:
    """Rebuild the search index from the database and swap it in atomically."""
    count = rebuild_index(db.session(), progress=_progress("Indexing"), processes=_processes())
    click.echo(f"Indexed {count} published offers in {current_app.config['WEGWEISER_INDEX_DIR']}")


@main.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    """Back up the database (SQLite: online backup API; PostgreSQL: pg_dump) and the instance
    secrets into DIRECTORY (new or empty). The site may keep running."""
    from .services.backup import BackupError, backup

    try:
        result = backup(db.engine(), db.session(), Path(current_app.instance_path), directory)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up {_counted(result.counts)} and "
               f"{', '.join(result.secrets) or 'no instance secrets'} into {directory}")


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items())


@main.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace a database (and instance secrets) that are not empty.")
@with_appcontext
def restore_command(directory: Path, force: bool) -> None:
    """Restore a backup made by `wegweiser backup` onto this instance's (empty) database,
    upgrade its schema, rebuild the search index and check that nothing is missing."""
    from . import migrate
    from .services.backup import BackupError, counts, restore

    try:
        manifest = restore(db.engine(), Path(current_app.instance_path), directory, force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    migrate.upgrade(db.engine())
    session = db.session()
    found = counts(session)
    if found != manifest["counts"]:
        raise click.ClickException(f"restored {_counted(found)}, but the backup holds "
                                   f"{_counted(manifest['counts'])}")
    indexed = rebuild_index(session, progress=_progress("Indexing"), processes=_processes())
    click.echo(f"Restored {_counted(found)} from {directory}; indexed {indexed} published "
               "offers")


@main.group("user")
def user_group() -> None:
    """Accounts of administrators, moderators and editors."""


@user_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "moderator", "editor"]), required=True)
@click.option("--organisation", help="External id of the editor's organisation.")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True,
              help="Address of the site, for the invitation link.")
@with_appcontext
def user_create_command(email, role, organisation, base_url) -> None:
    """Create a user (or invite again) and print the invitation link, also sent by mail."""
    from .services.accounts import AccountError, create_user
    from .services.notifications import send_invitation

    session = db.session()
    try:
        user = create_user(session, email, role, organisation)
    except AccountError as error:
        session.rollback()
        reasons = {"email": "is not an e-mail address", "role": "is not a role",
                   "organisation": "needs --organisation with the id of an organisation"}
        raise click.UsageError(f"{email}: {reasons.get(error.code, error.code)}") from error
    session.commit()
    with current_app.test_request_context("/", base_url=base_url):
        link = send_invitation(user)
    click.echo(f"Invitation for {user.email} ({role}): {link}")


@user_group.command("reset-second-factor")
@click.argument("email")
@with_appcontext
def user_reset_second_factor_command(email) -> None:
    """Remove a user's second factor (a lost phone, or no administrator left who can sign in);
    the next sign-in sets up a new one. Logged in the audit log."""
    from .services.accounts import account_id, reset_second_factor

    session = db.session()
    user_id = account_id(session, email)
    if user_id is None:
        raise click.UsageError(f"{email}: no such account")
    reset_second_factor(session, user_id, None)
    session.commit()
    click.echo(f"The second factor of {email} is removed.")


@main.group("audit")
def audit_group() -> None:
    """The audit log of staff accounts (sign-ins, refusals, changes of accounts)."""


@audit_group.command("prune")
@with_appcontext
def audit_prune_command() -> None:
    """Delete entries older than a year (also done whenever one is written)."""
    from .services.audit import prune

    session = db.session()
    dropped = prune(session)
    session.commit()
    click.echo(f"Deleted {dropped} audit log entries older than a year.")


@main.group("offer")
def offer_group() -> None:
    """Change an offer's state as its organisation would on the dashboard (same operations)."""


def _offer_operation(name: str, run) -> None:
    @offer_group.command(name, help=run.__doc__.strip())
    @click.argument("external_id")
    @click.option("--as", "actor", default="cli", show_default=True,
                  help="Who does it, as written into the history.")
    @with_appcontext
    def command(external_id: str, actor: str) -> None:
        from .services import operations
        from .services.directory import offer_by_external_id

        session = db.session()
        offer = offer_by_external_id(session, external_id)
        if offer is None:
            raise click.UsageError(f"{external_id}: no such offer")
        outcome = run(session, operations.Actor(f"cli:{actor}", staff=True), offer)
        session.commit()
        search_service().catch_up(session)
        click.echo(f"{external_id}: {outcome}")


def _archive(session, actor, offer) -> str:
    """"No longer offered": hide the offer; a change waiting for review is closed."""
    from .services.operations import archive

    archive(session, actor, offer)
    return "archived"


def _reactivate(session, actor, offer) -> str:
    """"Offered again": publish an archived offer again, confirmed as of today."""
    from .services.operations import reactivate

    return reactivate(session, actor, offer) or f"not archived ({offer.status}), unchanged"


def _confirm(session, actor, offer) -> str:
    """"Still correct": confirm the offer as of today."""
    from .services.operations import confirm

    confirm(session, actor, offer)
    return f"confirmed {offer.verified_at.isoformat()}"


for _name, _run in (("archive", _archive), ("reactivate", _reactivate), ("confirm", _confirm)):
    _offer_operation(_name, _run)


@main.command("remind")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True,
              help="Address of the site, for the links in the mails.")
@with_appcontext
@this_citys_database
def remind_command(base_url) -> None:
    """Mail every organisation the list of its stale offers, and of its calls for help ending
    within a week, with one-click links (for cron)."""
    from .services.notifications import send_help_call_reminders, send_reminders

    with current_app.test_request_context("/", base_url=base_url):
        sent = send_reminders(db.session())
        calls = send_help_call_reminders(db.session())
        db.session().commit()  # each call's end date is reminded once
    click.echo(f"Sent {sent} reminder(s).")
    click.echo(f"Sent {calls} reminder(s) of calls for help ending soon.")


@main.group("needs")
def needs_group() -> None:
    """The counts of unmet searches behind the needs report."""


@needs_group.command("prune")
@with_appcontext
def needs_prune_command() -> None:
    """Delete the counts of weeks older than two years (also done whenever one is written)."""
    from .services.needs import prune

    session = db.session()
    dropped = prune(session)
    session.commit()
    click.echo(f"Deleted {dropped} count(s) older than two years.")


@main.command("booklet")
@click.option("--area", required=True, help="Slug of a Stadtbezirk or Ortsteil (or citywide).")
@click.option("--lang", "lang", required=True, help="Language of the booklet (German beside it).")
@click.option("--target-group", help="Only offers for this target group (slug).")
@click.option("--category", help="Only offers of this category (slug).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: booklet-AREA-LANG.html); a name ending in .pdf "
                   "writes a PDF (needs the pdf extra).")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True,
              help="Address of the site, for the links and QR codes.")
@with_appcontext
@this_citys_database
def booklet_command(area, lang, target_group, category, output, base_url) -> None:
    """Write a printable booklet of all published offers for an area, grouped by category.

    Open the HTML file in a browser and print it (A4), or write a PDF directly; every offer
    has a QR code.
    """
    from .i18n import ui_languages
    from .web.booklet import BookletError, render_booklet

    if lang not in ui_languages():
        raise click.BadParameter(f"must be one of {', '.join(ui_languages())}", param_hint="--lang")
    with current_app.test_request_context("/", base_url=base_url):
        try:
            html = render_booklet(area, lang, target_group, category)
        except BookletError as exc:
            raise click.UsageError(str(exc)) from exc
        output = output or Path(f"booklet-{area}-{lang}.html")
        if output.suffix.lower() == ".pdf":
            from .pdf import html_to_pdf, pdf_available

            if not pdf_available():
                raise click.UsageError("PDF needs the pdf extra: pip install 'wegweiser[pdf]' "
                                       "(and Pango, see the README)")
            output.write_bytes(html_to_pdf(html, base_url, Path(current_app.static_folder),
                                           current_app.static_url_path))
        else:
            output.write_text(html, encoding="utf-8")
    click.echo(f"Wrote {output}")


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@with_appcontext
def demo_command(host: str, port: int) -> None:
    """Create what is missing (database, reference data, demo data, index) and serve the site
    (the city of WEGWEISER_CITY, with its own demo data set)."""
    _initialise()
    if not has_offers():
        city = current_city()
        files = demo_files(city.slug)
        if not files:
            raise click.ClickException(f"There is no demo data set for {city.name} "
                                       f"(wegweiser/data/demo/{city.slug}/*.json).")
        click.echo(f"Loading the demo data set of {city.name} …")
        report = import_demo(city.slug, progress=_progress("Importing"))
        _print_report(report)
        if not report.ok:
            sys.exit(1)
    service = search_service()
    if not service.store.exists():
        rebuild_index(db.session(), progress=_progress("Indexing"), processes=_processes())
    service.catch_up(db.session(), fully=True, processes=_processes())
    click.echo(f"\n  Wegweiser is running at http://{host}:{port}/  (Ctrl+C stops it)\n")
    run_simple(host, port, current_app._get_current_object(), threaded=True)
