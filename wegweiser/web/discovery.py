"""For search engines and browsers: schema.org JSON-LD, the sitemap, OpenSearch, robots.txt."""
from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, g, render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from .. import db
from ..cities import city_today, current_city
from ..i18n import direction, ui_languages
from ..models import Offer, Organisation
from ..services.directory import recently_changed_offers, sitemap_entries
from ..services.hsds.export import city_place
from .feed import FEED_SIZE, FeedEntry, atom_feed, site_feed_info
from .language import language_blueprint

bp = Blueprint("discovery", __name__)
localised = language_blueprint("discovery_localised", __name__)
SCHEMA_DAYS = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday",
               6: "Saturday", 7: "Sunday"}


def _script(data: dict) -> Markup:
    text = json.dumps(data, ensure_ascii=False)
    # Inside a script element no "<" may open a tag: JSON allows it written as \u003c.
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return Markup('<script type="application/ld+json">{}</script>').format(Markup(text))


def _address(item) -> dict | None:
    if not (item.street or item.city):
        return None
    country = city_place(current_city().slug).get("country")
    return {"@type": "PostalAddress", "streetAddress": item.street,
            "postalCode": item.postal_code, "addressLocality": item.city,
            **({"addressCountry": country} if country else {})}


def _city_served() -> dict:
    """The whole city, placed by its city file's coordinates."""
    city = current_city()
    served = {"@type": "City", "name": city.name}
    if city.latitude is not None and city.longitude is not None:
        served["geo"] = {"@type": "GeoCoordinates", "latitude": city.latitude,
                         "longitude": city.longitude}
    return served


def offer_json_ld(offer: Offer, lang: str) -> Markup:
    title = offer.text_in("title", lang)
    summary = offer.text_in("summary", lang)
    data = {
        "@context": "https://schema.org",
        "@type": "Service",
        "name": title[0] if title else offer.external_id,
        "url": url_for("public.offer", lang=lang, external_id=offer.external_id,
                       _external=True),
        "provider": {"@type": "Organization", "name": offer.organisation.name,
                     "url": url_for("public.organisation", lang=lang,
                                    external_id=offer.organisation.external_id,
                                    _external=True)},
        "availableLanguage": [language.code for language in offer.languages],
        "isAccessibleForFree": offer.cost == "free",
        "areaServed": _city_served() if offer.citywide else [a.name for a in offer.areas],
        "hoursAvailable": [{"@type": "OpeningHoursSpecification",
                            "dayOfWeek": SCHEMA_DAYS[h.weekday],
                            "opens": h.opens.strftime("%H:%M"),
                            "closes": h.closes.strftime("%H:%M")}
                           # schema.org has no "first Thursday of the month"
                           for h in offer.opening_hours if h.week_of_month is None]
        # A closure as schema.org writes one: open from 00:00 to 00:00 on those days.
        + [{"@type": "OpeningHoursSpecification", "opens": "00:00", "closes": "00:00",
            "validFrom": c.first_day.isoformat(), "validThrough": c.last_day.isoformat()}
           for c in offer.closures
           if c.last_day >= city_today()],
    }
    if summary:
        data["description"] = summary[0]
    place = {"@type": "Place"}
    if _address(offer):
        place["address"] = _address(offer)
    if offer.lat is not None and offer.lon is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": offer.lat,
                        "longitude": offer.lon}
    if len(place) > 1 or offer.phone:
        data["availableChannel"] = {"@type": "ServiceChannel", "serviceLocation": place,
                                    "servicePhone": offer.phone}
    return _script({k: v for k, v in data.items() if v not in (None, [], "")})


def organisation_json_ld(org: Organisation, lang: str) -> Markup:
    data = {"@context": "https://schema.org", "@type": "Organization", "name": org.name,
            "url": org.website or url_for("public.organisation", lang=lang,
                                          external_id=org.external_id, _external=True),
            "email": org.email, "telephone": org.phone, "address": _address(org)}
    return _script({k: v for k, v in data.items() if v})


@bp.get("/sitemap.xml")
def sitemap():
    pages = [("public.index", {}), ("take_part.page", {})]
    pages += [("public.offer", {"external_id": i}) for i in
              sitemap_entries(db.session())["offers"]]
    pages += [("public.organisation", {"external_id": i}) for i in
              sitemap_entries(db.session())["organisations"]]
    urls = []
    for endpoint, args in pages:
        versions = {lang: url_for(endpoint, lang=lang, _external=True, **args)
                    for lang in ui_languages()}
        urls.extend({"loc": loc, "versions": versions} for loc in versions.values())
    return Response(render_template("sitemap.xml", urls=urls), mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    return Response(f"User-agent: *\nDisallow: /*/list\nDisallow: /*/search\nSitemap: "
                    f"{url_for('discovery.sitemap', _external=True)}\n", mimetype="text/plain")


@localised.get("/opensearch.xml")
def opensearch():
    return Response(render_template("opensearch.xml"),
                    mimetype="application/opensearchdescription+xml")


SERVICE_WORKER = Path(__file__).resolve().parent.parent.parent / "static" / "js" / "offline-sw.js"


@bp.get("/sw.js")
def service_worker():
    """The offline service worker, from the site's root so that it may keep every page;
    revalidated on each visit (never cached for long: a new version must reach readers)."""
    response = Response(SERVICE_WORKER.read_bytes(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@localised.get("/manifest.webmanifest")
def manifest():
    """The web app manifest in the page's language: installable, opens the start page."""
    lang = g.lang
    city = current_city()
    data = {
        "name": city.site_name,
        "short_name": "Wegweiser",
        "description": _("Support offers for refugees in %(city)s: German courses, counselling, "
                         "help in everyday life — in your language.", city=city.name_in(lang)),
        "lang": lang, "dir": direction(lang),
        "start_url": url_for("public.index", lang=lang),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#0b5563",
        "icons": [{"src": url_for("static", filename="favicon.svg"), "sizes": "any",
                   "type": "image/svg+xml", "purpose": "any"}],
    }
    return Response(json.dumps(data, ensure_ascii=False), mimetype="application/manifest+json")


def _feed_entry(offer: Offer, lang: str) -> FeedEntry:
    title = offer.text_in("title", lang)
    summary = offer.text_in("summary", lang)
    return FeedEntry(
        key=offer.external_id, title=title[0] if title else offer.external_id,
        summary=summary[0] if summary else None,
        url=url_for("public.offer", lang=lang, external_id=offer.external_id, _external=True),
        organisation=offer.organisation.name,
        categories=[(c.slug, c.label(lang)) for c in offer.categories],
        published=min(offer.created_at, offer.updated_at), updated=offer.updated_at)


@localised.get("/feed.atom")
def feed():
    """New and changed offers in the page language, newest first."""
    info = site_feed_info(
        g.lang, _("%(site)s: new and changed offers", site=current_city().site_name),
        "discovery_localised.feed", "public.index")
    offers = recently_changed_offers(db.session(), FEED_SIZE)
    return Response(atom_feed(info, [_feed_entry(o, g.lang) for o in offers]),
                    mimetype="application/atom+xml")
