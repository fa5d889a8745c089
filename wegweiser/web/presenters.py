"""Turning models and search results into plain data for templates and the API."""
from __future__ import annotations

from collections import OrderedDict
from datetime import date, timedelta

from babel.dates import format_interval, format_skeleton
from babel.lists import format_list
from babel.units import format_unit
from flask import url_for
from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .. import opening
from ..cities import current_city
from ..formatting import render_markdown, weekday_names
from ..i18n import direction, in_language, join_list, language_label, locale_name
from ..models import ARCHIVED, Offer, Organisation
from ..opening import current_or_coming, open_state
from ..qrcode import inline_svg
from ..search import FILTERS, SearchQuery, SearchResult, highlighted
from ..search.filters import BY_NAME, CITYWIDE, AreaFilter, FlagFilter, VocabularyFilter
from ..services.directory import Vocabularies
from ..services.help_calls import REMIND_DAYS_BEFORE, kind_by_slug
from .params import query_args


def cost_label(cost: str) -> str:
    labels = {"free": _("free of charge"), "reduced": _("reduced price"), "paid": _("fee")}
    return labels.get(cost, cost)


def text_block(owner, field: str, locale: str, terms=None, kind: str = "body") -> dict | None:
    """A translated text with its language, direction and whether it is in the reader's."""
    found = owner.text_in(field, locale)
    if found is None:
        return None
    text, lang = found
    html = highlighted(text, lang, terms, kind=kind) if terms is not None else None
    return {"text": text, "html": html, "lang": lang, "dir": direction(lang),
            "translated": lang == locale}


def language_name(code: str) -> str:
    """A language's name in the page's language (the languages data, else Babel's CLDR data)."""
    return language_label(code)


def language_notice(owner, shown: str, locale: str) -> str | None:
    """Why an entry is shown in ``shown``, not in the reader's ``locale``: it has no other
    language, or only not the reader's (a Russian reader of an entry written in Arabic and
    translated into German gets the German text, and must not read "only in German")."""
    if shown == locale:
        return None
    languages = {code for code, text in owner.translations_of("title").items() if text}
    if languages <= {shown}:
        return _("This entry is only available in %(language)s.", language=language_name(shown))
    return _("This entry is not available in %(reader)s; it is shown in %(language)s.",
             reader=language_name(locale), language=language_name(shown))


def translation_note(owner, locale: str) -> str | None:
    """Where the reader's translation came from, and whether the original changed since."""
    if locale == owner.original_language:
        return None
    rows = {(t.field, t.locale): t for t in owner.texts}
    translation = rows.get(("title", locale))
    if translation is None:
        return None
    if translation.origin == "machine":
        note = _("Machine translation.")
    elif translation.reviewed:
        note = _("Translation checked by a reviewer.")
    else:
        note = _("Translated by the organisation.")
    outdated = any(
        (original := rows.get((field, owner.original_language))) is not None
        and (mine := rows.get((field, locale))) is not None
        and original.updated_at and mine.updated_at and original.updated_at > mine.updated_at
        for field in ("title", "summary", "description"))
    if outdated:
        note += " " + _("The original has changed since; the translation may be out of date.")
    return note


def area_label(offer: Offer) -> str:
    if offer.citywide:
        return _("citywide")
    names = []
    for area in offer.areas:
        names.append(f"{area.name} ({area.parent.name})" if area.parent and area.parent.kind ==
                     "district" else area.name)
    return join_list(names)


def distance_text(km: float | None) -> str | None:
    """"1,2 km" in the page's language; whole kilometres from 10 km on."""
    if km is None:
        return None
    return format_unit(km, "length-kilometer", "short", format="#,##0.0" if km < 10 else "#,##0",
                       locale=get_locale())


def offer_row(offer: Offer, locale: str, terms: dict | None = None,
              distance_km: float | None = None) -> dict:
    return {
        "distance": distance_text(distance_km),
        "id": offer.external_id,
        "url": url_for("public.offer", lang=locale, external_id=offer.external_id),
        "title": text_block(offer, "title", locale, terms, kind="title"),
        "summary": text_block(offer, "summary", locale, terms),
        "organisation": offer.organisation.name,
        "areas": area_label(offer),
        "citywide": offer.citywide,
        "categories": [c.label(locale) for c in offer.categories],
        "languages": [lang.label(locale) for lang in offer.languages],
        "cost": cost_label(offer.cost),
        "free": offer.cost == "free",
        "gone": offer.status == ARCHIVED,  # no longer offered: shown greyed, not dropped
    }


def week_of_month_text(week: int, weekday: int) -> str:
    """"only on the first Thursday of the month", in the page's language."""
    day = weekday_names(get_locale())[weekday]
    texts = {1: _("only on the first %(weekday)s of the month", weekday=day),
             2: _("only on the second %(weekday)s of the month", weekday=day),
             3: _("only on the third %(weekday)s of the month", weekday=day),
             4: _("only on the fourth %(weekday)s of the month", weekday=day),
             -1: _("only on the last %(weekday)s of the month", weekday=day)}
    return texts[week]


def opening_hours(offer: Offer) -> list[dict]:
    """Slots grouped by weekday, with weekday names and times in the page's locale."""
    day_names = weekday_names(get_locale())
    days: OrderedDict[int, dict] = OrderedDict()
    for slot in sorted(offer.opening_hours,
                       key=lambda h: (h.weekday, h.opens, h.week_of_month or 0)):
        day = days.setdefault(slot.weekday, {"day": day_names[slot.weekday], "slots": []})
        span = f"{format_time(slot.opens, 'short')}–{format_time(slot.closes, 'short')}"
        day["slots"].append({
            "span": span,
            "rule": week_of_month_text(slot.week_of_month, slot.weekday)
            if slot.week_of_month else None,
            "note": slot.note,
            # Written in the offer's original language, whatever the page's.
            "note_lang": offer.original_language,
            "note_dir": direction(offer.original_language),
        })
    # A slot's note ("only on the first Thursday of the month") is written in the offer's
    # language; the sheet and the text carry it too, or a client comes on the wrong day.
    written_in = offer.original_language
    for day in days.values():
        slots = day["slots"]
        day["times"] = format_list([
            s["span"] + (f" ({s['rule']})" if s["rule"] else "")
            + (f" ({s['note']})" if s["note"] else "") for s in slots], locale=get_locale())
        # Each span isolated, so an RTL page does not reorder "9:00–12:00" into "12:00–9:00".
        day["times_html"] = Markup(format_list([str(
            Markup("<bdi>{}</bdi>").format(s["span"])
            + (Markup(" ({})").format(s["rule"]) if s["rule"] else "")
            + (Markup(' <bdi lang="{}" dir="{}">({})</bdi>').format(
                written_in, direction(written_in), s["note"]) if s["note"] else ""))
            for s in slots], locale=get_locale()))
    return list(days.values())


def _day_skeleton(today: date, *days: date) -> str:
    """Day and month, and the year when one of ``days`` is not in this year."""
    return "MMMMd" if all(day.year == today.year for day in days) else "yMMMMd"


def closure_days(first: date, last: date, today: date) -> str:
    """"22 December – 2 January" in the page's language (Babel's interval, year only when
    needed); one day alone is that day."""
    return format_interval(first, last, _day_skeleton(today, first, last), locale=get_locale())


def closure_record_text(closure: dict) -> str:
    """A closure of a record (a revision's before or after) as people write it: "22 December
    2026 – 2 January 2027 (Weihnachtsferien)"."""
    try:
        first, last = (date.fromisoformat(closure[key]) for key in ("from", "until"))
    except (KeyError, TypeError, ValueError):
        return f"{closure.get('from')} – {closure.get('until')}"
    text = format_interval(first, last, "yMMMMd", locale=get_locale())
    notes = closure.get("note") or {}
    note = notes.get(str(get_locale())) or next(iter(sorted(notes.items())), (None, None))[1]
    return f"{text} ({note})" if note else text


def closure_notices(offer: Offer, timezone: str) -> list[dict]:
    """The closures now or within four weeks, in the page's language: "Temporarily closed:
    22 December – 2 January", with the note in the reader's language where there is one."""
    today = opening.local_now(timezone).date()
    rows = {c.closure(): c for c in offer.closures}
    notices = []
    for closure in current_or_coming(rows, today):
        notice = {"text": _("Temporarily closed: %(dates)s",
                            dates=closure_days(closure.first, closure.last, today)),
                  "current": closure.covers(today)}
        notices.append({**notice, **_closure_note(rows[closure])})
    return notices


def _closure_note(row) -> dict:
    """A closure's note in the reader's language, else the best one there is."""
    found = row.text_in("note", str(get_locale()))
    if found is None:
        return {}
    text, lang = found
    return {"note": text, "note_lang": lang, "note_dir": direction(lang)}


def open_now_text(offer: Offer, timezone: str) -> dict | None:
    """"Open now, until 12:00" or "Closed · opens Monday at 10:00", in the page's language;
    during a closure "Closed until 2 January · opens on Monday, 4 January at 10:00"."""
    if not offer.opening_hours:
        return None
    now = opening.local_now(timezone)
    closures = {c.closure(): c for c in offer.closures}
    state = open_state((h.slot() for h in offer.opening_hours), now, closures,
                       closed_days(offer))
    # The row of hours the status speaks of, for its note.
    slot = next((h for h in offer.opening_hours if h.slot() == state.slot), None)
    if state.is_open:
        return {"open": True, "text": _("Open now, until %(time)s",
                                        time=format_time(state.closes_at.time(), "short")),
                **_slot_note(offer, slot)}
    if state.closed_until is not None:
        until = format_skeleton(_day_skeleton(now.date(), state.closed_until),
                                state.closed_until, locale=get_locale())
        if state.next_opening is None:
            text = _("Closed until %(date)s", date=until)
        else:
            text = _("Closed until %(date)s · opens on %(next)s at %(time)s", date=until,
                     next=format_date(state.next_opening.date(), "full"),
                     time=format_time(state.next_opening.time(), "short"))
        # The closure's note stands beside it in the closure's notice (closure_notices).
        return {"open": False, "text": text}
    if state.next_opening is None:
        return None
    when = state.next_opening
    if when.date() == now.date():
        text = _("Closed now · opens today at %(time)s", time=format_time(when.time(), "short"))
    elif when.date() - now.date() >= timedelta(days=7) or any(
            h.week_of_month for h in offer.opening_hours) or any(
            c.first <= when.date() and c.last >= now.date() for c in closures):
        # Not within the week, hours not every week, or a closure in between: "opens
        # Thursday" would send a client on the wrong Thursday.
        text = _("Closed now · opens on %(date)s at %(time)s",
                 date=format_date(when.date(), "full"),
                 time=format_time(when.time(), "short"))
    else:
        day = weekday_names(get_locale())[when.isoweekday()]
        text = _("Closed now · opens %(day)s at %(time)s", day=day,
                 time=format_time(when.time(), "short"))
    return {"open": False, "text": text, **_slot_note(offer, slot)}


def closed_days(offer: Offer):
    """The days on which ``offer``'s hours do not hold: the city's public holidays, unless it
    opens on them too."""
    holidays = current_city().holidays
    return None if holidays is None or offer.open_on_public_holidays else holidays.is_holiday


def public_holiday_rule(offer: Offer) -> str | None:
    """Whether ``offer``'s hours hold on the city's public holidays (None: no hours, or the
    city has no public holidays)."""
    if current_city().holidays is None or not offer.opening_hours:
        return None
    return _("Open on public holidays too.") if offer.open_on_public_holidays \
        else _("Closed on public holidays.")


def public_holiday_text(offer: Offer, timezone: str) -> dict | None:
    """Whether the hours hold on public holidays, and that today is one (with its name where
    the holidays package has it in the page's language)."""
    rule = public_holiday_rule(offer)
    if rule is None:
        return None
    holidays = current_city().holidays
    today = opening.local_now(timezone).date()
    text = {"rule": rule}
    if holidays.is_holiday(today):
        name = holidays.name_in(today, str(get_locale()))
        text["today"] = _("Today is a public holiday: %(name)s.", name=name) if name \
            else _("Today is a public holiday.")
    return text


def _slot_note(offer: Offer, slot) -> dict:
    """The note of the slot "open now" speaks of ("only on the first Thursday of the month"):
    the hours say every week, the note may say otherwise, so it stands beside the status."""
    if slot is None or not slot.note:
        return {}
    return {"note": slot.note, "note_lang": offer.original_language,
            "note_dir": direction(offer.original_language)}


def osm_url(offer: Offer) -> str | None:
    """A map around the offer's address (the city file's ``map_url``, OpenStreetMap by default)."""
    return current_city().map_link(offer.lat, offer.lon)


def offer_detail(offer: Offer, locale: str, stale_after_days: int, timezone: str) -> dict:
    row = offer_row(offer, locale)
    description = text_block(offer, "description", locale)
    if description:
        description["html"] = render_markdown(description["text"])
    verified = offer.verified_at
    row.update({
        "description": description,
        "organisation_url": url_for("public.organisation", lang=locale,
                                    external_id=offer.organisation.external_id),
        "target_groups": [t.label(locale) for t in offer.target_groups],
        "category_links": [{"label": c.label(locale), "icon": c.icon or c.slug,
                            "url": url_for("public.search", lang=locale, category=c.slug)}
                           for c in offer.categories],
        "languages": [{"label": lang.label(locale), "autonym": lang.autonym, "code": lang.code}
                      for lang in offer.languages],
        "address": {"street": offer.street, "postal_code": offer.postal_code,
                    "city": offer.city} if offer.street or offer.city else None,
        "osm_url": osm_url(offer),
        "opening_hours": opening_hours(offer),
        "open_now": open_now_text(offer, timezone),
        "public_holidays": public_holiday_text(offer, timezone),
        "closures": closure_notices(offer, timezone),
        "phone": offer.phone,
        "email": offer.email,
        "website": offer.website,
        "accessible": offer.accessible,
        "appointment_needed": offer.appointment_needed,
        "verified_at": format_date(verified, "long") if verified else None,
        "stale": verified is None or (date.today() - verified).days > stale_after_days,
        "original_language": offer.original_language,
        "translation_note": translation_note(offer, locale),
        "language_notice": language_notice(offer, row["title"]["lang"], locale),
    })
    return row


def organisation_detail(org: Organisation, offers: list[Offer], locale: str) -> dict:
    description = text_block(org, "description", locale)
    if description:
        description["html"] = render_markdown(description["text"])
    return {
        "name": org.name,
        "description": description,
        "website": org.website,
        "email": org.email,
        "phone": org.phone,
        "address": {"street": org.street, "postal_code": org.postal_code, "city": org.city}
        if org.street or org.city else None,
        "offers": [offer_row(o, locale) for o in offers],
    }


def _toggle_args(query: SearchQuery, facet: str, value: str) -> dict:
    """The query string of ``query`` with one filter value chosen or taken away (and on its
    first page)."""
    f = BY_NAME[facet]
    return query_args(query, page=None,
                      **{facet: f.link_value(f.toggled(query.selected(facet), value))})


def _option(query: SearchQuery, facet: str, value: str, label: str, count: int,
            lang: str, **extra) -> dict:
    return {"value": value, "label": label, "count": count,
            "selected": value in query.selected(facet),
            "url": url_for("public.search", lang=lang, **_toggle_args(query, facet, value)),
            **extra}


def facet_groups(result: SearchResult, query: SearchQuery, vocab: Vocabularies,
                 lang: str) -> list[dict]:
    """The filter column: every registered filter (search/filters.py) with its options,
    counts and toggle links; filters of one ``group`` share a box."""
    groups: dict[str, dict] = {}
    for f in FILTERS:
        counts = result.facets[f.name]
        if isinstance(f, AreaFilter):
            options = _area_options(f, counts, query, vocab, lang)
        elif isinstance(f, VocabularyFilter):
            options = _vocabulary_options(f, counts, query, vocab, lang)
        else:
            options = [_option(query, f.name, f.value, f.option_label(), counts.get(f.value, 0),
                               lang)]
        group = groups.setdefault(f.group or f.name, {
            "name": f.group or f.name, "label": f.group_label(), "options": [],
            "note": f.note(counts)})
        group["options"].extend(options)
    return list(groups.values())


def _area_options(f: AreaFilter, counts: dict[str, int], query: SearchQuery,
                  vocab: Vocabularies, lang: str) -> list[dict]:
    """Citywide offers, then the Stadtbezirke; a Stadtbezirk's Ortsteile once it or one of them
    is chosen, or when the results lie in one Stadtbezirk only (a city has some sixty
    Ortsteile: listed all at once they would make the filters long on a phone and the page
    heavy)."""
    options = []
    selected = set(query.selected(f.name))
    citywide_count = counts.get(CITYWIDE, 0)
    if citywide_count or CITYWIDE in selected:
        options.append(_option(query, f.name, CITYWIDE, _("Citywide offers only"),
                               citywide_count, lang))
    shown = [d for d in vocab.districts if counts.get(d.slug, 0) or d.slug in selected
             or any(counts.get(q.slug, 0) or q.slug in selected for q in d.children)]
    for district in shown:
        opened = len(shown) == 1 or district.slug in selected or \
            any(q.slug in selected for q in district.children)
        quarters = [_option(query, f.name, q.slug, q.name, counts.get(q.slug, 0), lang)
                    for q in district.children] if opened else []
        quarters = [q for q in quarters if q["count"] or q["selected"]]
        options.append(_option(query, f.name, district.slug, district.name,
                               counts.get(district.slug, 0), lang, children=quarters))
    return options


def _vocabulary_options(f: VocabularyFilter, counts: dict[str, int], query: SearchQuery,
                        vocab: Vocabularies, lang: str) -> list[dict]:
    """The vocabulary's values that results have or that are chosen, in its order."""
    options = []
    for slug, item in vocab.by_slug(f.name).items():
        count = counts.get(slug, 0)
        if count or slug in query.selected(f.name):
            text = item.label(lang)
            autonym = getattr(item, "autonym", None)  # languages: also in their own name
            if autonym and autonym != text:
                text = f"{text} · {autonym}"
            options.append(_option(query, f.name, slug, text, count, lang))
    return options


def filter_label(facet: str, value: str, vocab: Vocabularies, lang: str) -> str:
    """The name of one filter value, as chips and suggestions show it."""
    f = BY_NAME[facet]
    if isinstance(f, FlagFilter):
        return f.chip_label()
    if value == CITYWIDE:
        return _("citywide")
    item = vocab.by_slug(facet)[value]
    return item.name if isinstance(f, AreaFilter) else item.label(lang)


def active_filters(query: SearchQuery, vocab: Vocabularies, lang: str) -> list[dict]:
    """Removable chips for every active filter value."""
    return [{"label": filter_label(f.name, value, vocab, lang),
             "url": url_for("public.search", lang=lang, **_toggle_args(query, f.name, value))}
            for f in FILTERS for value in query.selected(f.name)]


def filter_suggestions(result: SearchResult, query: SearchQuery, vocab: Vocabularies,
                       lang: str) -> list[dict]:
    """"Only offers for women?": one link per filter that the query's words name, not yet
    applied, that would keep some but not all of the results. The values of one filter that
    the same words name are one link ("Kurdisch": Kurmanji or Sorani; "Grünau": its four
    areas)."""
    named: dict[tuple, list] = {}
    for found in result.recognised:
        if not found.applied:
            named.setdefault((found.facet, found.words), []).append(found)
    suggestions = []
    for (facet, _words), values in named.items():
        count = values[0].together
        if not 0 < count < result.total:
            continue
        f = BY_NAME[facet]
        label = " / ".join(filter_label(facet, found.value, vocab, lang) for found in values)
        # The filter's sentence, escaped, with the label isolated for right-to-left pages.
        text = escape(f.suggestion(count, "\0"))
        text = Markup(str(text).replace("\0", str(Markup("<bdi>%s</bdi>") % label)))
        chosen = tuple(dict.fromkeys((*query.selected(facet), *(v.value for v in values))))
        suggestions.append({
            "filter": facet, "count": count, "label": label, "text": text,
            "url": url_for("public.search", lang=lang,
                           **query_args(query, page=None, **{facet: f.link_value(chosen)})),
        })
    return suggestions


def suggestion_link(result: SearchResult, query: SearchQuery, lang: str) -> dict | None:
    """"Did you mean …": the query with misspelt words corrected, filters kept."""
    if not result.suggestion:
        return None
    return {"text": result.suggestion, "url": url_for(
        "public.search", lang=lang, **query_args(query, q=result.suggestion, page=None))}


def own_language_link(query: SearchQuery, vocab: Vocabularies, lang: str,
                      counts: dict[str, int]) -> dict | None:
    """One click to "offers where staff speak my language" (not for German pages)."""
    if lang == "de" or lang in query.language or lang not in vocab.by_slug("language"):
        return None
    return {"count": counts.get(lang, 0), "url": url_for(
        "public.search", lang=lang,
        **query_args(query, page=None, language=[*query.language, lang]))}


def near_choice(query: SearchQuery, vocab: Vocabularies, lang: str) -> dict:
    """How results are ordered by distance: from which area (None: the reader's position),
    where to choose the place, and the results without that order."""
    choose = url_for("public.near", lang=lang, **query_args(query, page=None))
    if query.near is None:
        return {"active": False, "choose": choose}
    area = vocab.area(query.near.key) if query.near.key else None
    return {"active": True, "choose": choose, "area": area.name if area else None,
            "without": url_for("public.search", lang=lang, **query_args(query, page=None,
                                                                      near=None))}


def pagination(result: SearchResult, query: SearchQuery, lang: str) -> dict | None:
    if result.pages <= 1:
        return None
    current = result.page

    def page_url(number: int) -> str:
        return url_for("public.search", lang=lang,
                       **query_args(query, page=number if number > 1 else None))

    window = sorted({1, result.pages, *range(max(1, current - 2),
                                             min(result.pages, current + 2) + 1)})
    links, previous = [], 0
    for number in window:
        if number - previous > 1:
            links.append({"gap": True})
        links.append({"number": number, "current": number == current, "url": page_url(number)})
        previous = number
    return {
        "links": links,
        "previous": page_url(current - 1) if current > 1 else None,
        "next": page_url(current + 1) if current < result.pages else None,
    }


def qr_svg(url: str) -> Markup:
    """A QR code of ``url`` as inline SVG (nothing is fetched from elsewhere)."""
    return Markup(inline_svg(url, scale=3).replace("<svg ", '<svg aria-hidden="true" ', 1))


def sheet_column(offer: Offer, lang: str) -> dict:
    """One offer's essentials with every label in ``lang``: a column of the referral sheet."""
    with in_language(lang):
        title = text_block(offer, "title", lang)
        summary = text_block(offer, "summary", lang)
        return {
            "lang": lang,
            "dir": direction(lang),
            "title": title,
            # The client's column in another language says so (it may repeat the German).
            "language_notice": language_notice(offer, title["lang"], lang),
            "summary": summary,
            "organisation": offer.organisation.name,
            "labels": {
                "for_whom": _("For whom"), "where": _("Where"), "when": _("When"),
                "phone": _("Phone"), "cost": _("Cost"), "staff_speak": _("Staff speak"),
                "scan": _("Scan for the current details"),
            },
            "target_groups": format_list([t.label(lang) for t in offer.target_groups],
                                         locale=locale_name(lang)) or _("Everyone"),
            "languages": format_list([x.label(lang) for x in offer.languages],
                                     locale=locale_name(lang)),
            "address": ", ".join(p for p in (offer.street, " ".join(
                x for x in (offer.postal_code, offer.city) if x)) if p) or None,
            "citywide": _("For people from the whole city") if offer.citywide else None,
            "hours": opening_hours(offer),
            "holidays": public_holiday_rule(offer),
            "closures": closure_notices(offer, current_city().timezone),
            "no_hours": _("No fixed opening hours."),
            "appointment": _("Please make an appointment first.")
            if offer.appointment_needed else None,
            "phone": offer.phone,
            "cost": cost_label(offer.cost),
        }


def list_as_text(offers: list[Offer], lang: str) -> str:
    """The list as plain text for a messenger or an SMS, in ``lang``."""
    blocks = []
    with in_language(lang):
        for number, offer in enumerate(offers, 1):
            column = sheet_column(offer, lang)
            lines = [f"{number}. {column['title']['text']}"]
            if column["address"]:
                lines.append(f"{column['labels']['where']}: {column['address']}")
            for closure in column["closures"]:
                lines.append(closure["text"] + (f" ({closure['note']})" if closure.get("note")
                                                else ""))
            for day in column["hours"]:
                lines.append(f"{day['day']}: {day['times']}")
            if column["appointment"]:
                lines.append(column["appointment"])
            if column["phone"]:
                lines.append(f"{column['labels']['phone']}: {column['phone']}")
            lines.append(url_for("public.offer", lang=lang, external_id=offer.external_id,
                                 _external=True))
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def help_call_card(call, locale: str) -> dict:
    """A call for help on the "Take part" page and the organisation's page."""
    org = call.organisation
    kind = kind_by_slug(call.kind)
    return {
        "id": call.external_id,
        "url": url_for("take_part.call", lang=locale, external_id=call.external_id),
        "title": text_block(call, "title", locale),
        "description": text_block(call, "description", locale),
        "when": text_block(call, "when", locale),
        "kind": kind.label(locale) if kind else call.kind,
        "areas": join_list(a.name for a in call.areas) or None,
        "languages": [lang.label(locale) for lang in call.languages],
        "end_date": call.end_date,
        "organisation": {"name": org.name, "email": org.email, "phone": org.phone,
                         "website": org.website,
                         "url": url_for("public.organisation", lang=locale,
                                        external_id=org.external_id)},
    }


def help_call_rows(calls, locale: str, today: date | None = None) -> list[dict]:
    """An organisation's calls for help on its editors' dashboard."""
    today = today or date.today()
    return [{"id": c.external_id,
             "title": (c.text_in("title", locale) or (c.external_id,))[0],
             "status": c.status, "pending": c.pending is not None,
             "comment": c.review_comment, "end_date": c.end_date,
             "ended": c.end_date < today,
             "ending_soon": 0 <= (c.end_date - today).days <= REMIND_DAYS_BEFORE}
            for c in calls]
