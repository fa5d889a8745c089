"""Spreadsheets for moderators under ``/<lang>/manage/import``: the template, an upload shown
as a preview with every problem at its row and cell before anything is written, "Import now"
(all or nothing, refused when the directory changed since the preview), and downloads of the
directory (CSV, XLSX, JSON) with the data licence in the file."""
from __future__ import annotations

import json
from pathlib import Path

from flask import Response, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from .. import db
from ..cities import current_city
from ..i18n import ui_languages
from ..services.hsds import data_licence
from ..services.sheets import uploads
from ..services.sheets.exporting import directory_data, directory_sheet, template_sheet
from ..services.sheets.files import UnreadableSheet, kind_of, read_sheet, write_csv, write_xlsx
from ..services.sheets.importing import StaleSheet, check_sheet, import_sheet
from . import manage

MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
WRITERS = {"csv": write_csv, "xlsx": write_xlsx}


def _folder() -> Path:
    configured = current_app.config.get("WEGWEISER_IMPORT_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "imports"


def _actor() -> str:
    return f"user:{current_user.user.email}"


def _page(status: int = 200, **context):
    return render_template("manage/import.html", **context), status


@manage.bp.get("/manage/import")
def import_page():
    return _page()


@manage.bp.post("/manage/import")
def import_preview():
    upload = request.files.get("file")
    kind = kind_of(upload.filename or "") if upload else None
    if kind is None:
        return _page(400, error=_("Please choose a CSV or XLSX file."))
    data = upload.read()
    try:
        sheet = read_sheet(data, kind)
    except UnreadableSheet as error:
        return _page(400, error=str(error.reason))
    kept = uploads.keep(_folder(), current_user.user.id, kind, upload.filename, data)
    return _preview(kept, sheet)


def _preview(kept: uploads.Upload, sheet, notice: str | None = None):
    check = check_sheet(db.session(), sheet, _actor())
    if not check.ok:
        uploads.discard(_folder(), kept.token)  # nothing to confirm: the file is not kept
    return render_template("manage/import_preview.html", check=check, counts=check.counts(),
                           upload=kept, notice=notice), 200 if check.ok else 422


@manage.bp.post("/manage/import/confirm")
def import_confirm():
    folder, token = _folder(), request.form.get("token", "")
    kept = uploads.load(folder, token, current_user.user.id)
    if kept is None:
        return _page(409, error=_("The uploaded file is no longer here (it was imported "
                                  "already, or it is older than a day). Nothing was imported; "
                                  "please upload it again."))
    try:
        sheet = read_sheet(kept.data, kept.kind)
        check = import_sheet(db.session(), sheet, _actor(), request.form.get("fingerprint", ""))
    except StaleSheet:
        return _preview(kept, sheet, _("The directory changed since the preview, so nothing was "
                                       "imported. This is what the import would do now."))
    if not check.ok:  # the directory changed so that the file no longer fits
        return _preview(kept, sheet, _("The directory changed since the preview, so nothing "
                                       "was imported."))
    uploads.discard(folder, token)  # the index catches up after the request (search/__init__)
    counts = check.counts()
    flash(_("Imported") + ": " + " · ".join((
        ngettext("%(num)d new", "%(num)d new", counts["created"]),
        ngettext("%(num)d changed", "%(num)d changed", counts["updated"]),
        ngettext("%(num)d unchanged", "%(num)d unchanged", counts["unchanged"]))))
    return redirect(url_for("manage.import_page"), code=303)


@manage.bp.get("/manage/import/template.<any(csv, xlsx):kind>")
def import_template(kind: str):
    from ..web import language_name

    content = template_sheet(db.session(), ui_languages(), g.lang,
                             data_licence(current_app.config), language_name)
    return _download(WRITERS[kind](content), f"wegweiser-template-{g.lang}.{kind}", kind)


@manage.bp.get("/manage/export/directory.<any(csv, xlsx, json):kind>")
def export_directory(kind: str):
    licence, source = data_licence(current_app.config), current_city().site_name
    if kind == "json":
        data = json.dumps(directory_data(db.session(), licence, source), ensure_ascii=False,
                          indent=1).encode("utf-8")
    else:
        data = WRITERS[kind](directory_sheet(db.session(), ui_languages(), licence, source))
    return _download(data, f"wegweiser-directory.{kind}", kind)


def _download(data: bytes, filename: str, kind: str) -> Response:
    return Response(data, mimetype=MEDIA[kind], headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


for _endpoint in ("import_page", "import_preview", "import_confirm", "import_template",
                  "export_directory"):
    manage.PERMISSIONS[f"manage.{_endpoint}"] = manage.is_staff
