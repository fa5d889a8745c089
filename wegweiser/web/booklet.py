"""Printed Wegweiser booklets from the live directory: one area (and optionally a target
group or category), grouped by category, in one language with German beside it."""
from __future__ import annotations

from datetime import date

from flask import render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from .. import db
from ..i18n import direction, in_language
from ..search import SearchQuery, search_service
from ..services.directory import load_vocabularies, offers_by_ids
from . import presenters

PAGE = 100
PARTNER = "de"


class BookletError(ValueError):
    pass


def booklet_offers(query: SearchQuery) -> list:
    session = db.session()
    ids, page = [], 1
    while True:
        result = search_service().search(
            SearchQuery(**{**query.__dict__, "page": page, "per_page": PAGE}), session)
        ids.extend(result.offer_ids)
        if page >= result.pages:
            return offers_by_ids(session, ids)
        page += 1


def render_booklet(area: str, lang: str, target_group: str | None = None,
                   category: str | None = None) -> str:
    """The booklet as one HTML document (call inside a request context for the site's URL)."""
    vocab = load_vocabularies(db.session())
    for facet, value in (("area", area), ("target_group", target_group),
                         ("category", category)):
        if value and value not in vocab.slugs(facet):
            raise BookletError(f"unknown {facet} {value!r}")
    query = SearchQuery(area=(area,), target_group=(target_group,) if target_group else (),
                        category=(category,) if category else (), locale=lang)
    offers = booklet_offers(query)
    columns = [lang] if lang == PARTNER else [lang, PARTNER]
    sections, organisations = [], {}
    for cat in vocab.categories:
        if category and cat.slug != category:
            continue
        members = [o for o in offers if o.categories and
                   (o.categories[0].slug == cat.slug if not category else True)]
        if not members:
            continue
        entries = []
        for offer in members:
            url = url_for("public.offer", lang=lang, external_id=offer.external_id,
                          _external=True)
            anchor = f"offer-{offer.external_id}"
            entries.append({"anchor": anchor, "qr": presenters.qr_svg(url), "columns": [
                presenters.sheet_column(offer, c) for c in columns]})
            organisations.setdefault(offer.organisation.name, []).append(
                {"anchor": anchor, "title": entries[-1]["columns"][0]["title"]["text"]})
        sections.append({"slug": cat.slug, "icon": cat.icon or cat.slug, "entries": entries,
                         "labels": [{"lang": c, "dir": direction(c), "text": cat.label(c)}
                                    for c in columns]})
    area_name = vocab.area(area).name if vocab.area(area) else _("the whole city")
    titles = []
    for c in columns:
        with in_language(c):
            titles.append({"lang": c, "dir": direction(c),
                           "title": _("Support offers in %(area)s", area=area_name),
                           "printed": _("Printed on %(date)s",
                                        date=format_date(date.today(), "long")),
                           "check": _("Please check the current details at %(url)s",
                                      url=url_for("public.index", lang=c, _external=True))})
    # Seen in a browser the booklet links the site's stylesheet (the pages' security policy
    # allows no inline style) and has a print button (the site's script shows it); a file
    # (the command line, the PDF) stands alone with the stylesheet inside.
    in_browser = request.endpoint == "manage.booklet" and request.args.get("format") != "pdf"
    with in_language(lang):
        return render_template(
            "booklet.html", lang=lang, dir=direction(lang), titles=titles, sections=sections,
            organisations=sorted(organisations.items(), key=lambda item: item[0].casefold()),
            count=len(offers), css=None if in_browser else _stylesheet(),
            in_browser=in_browser)


def _stylesheet() -> Markup:
    """The site's own stylesheet, inlined so the booklet file stands alone (a ``<style>``
    element's text is not HTML: it must not be escaped)."""
    from flask import current_app

    with current_app.open_resource(current_app.static_folder + "/css/site.css") as handle:
        return Markup(handle.read().decode("utf-8"))
