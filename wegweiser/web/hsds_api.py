"""Open Referral HSDS 3.0 under ``/api/v1/hsds/``: the published directory as services and
organizations, paginated as the HSDS API specifies (``total_items``, ``total_pages``,
``page_number``, ``size``, ``first_page``, ``last_page``, ``empty``, ``contents``)."""
from __future__ import annotations

from functools import partial

from flask import Blueprint, jsonify, request

from .. import db
from ..services import directory
from ..services.hsds import EXTENSION
from ..services.hsds import export as hsds
from .api import bad_parameter, error_response, refuse_repeated_parameters
from .params import ParamError, parse_datetime_arg, parse_page_args

bp = Blueprint("hsds_api", __name__, url_prefix="/api/v1/hsds")
bp.register_error_handler(ParamError, bad_parameter)
bp.before_request(refuse_repeated_parameters)
DEFAULT_PER_PAGE = 20


def _page(total: int, page: int, per_page: int, contents: list[dict]) -> dict:
    total_pages = max(1, -(-total // per_page))
    return {"total_items": total, "total_pages": total_pages, "page_number": page,
            "size": len(contents), "first_page": page == 1, "last_page": page >= total_pages,
            "empty": not contents, "contents": contents}


def _one_to_one(record: dict) -> dict:
    """A listing's record: its own fields, without the nested lists (as the HSDS API's
    ``service_list`` and ``organization_list``), but with our extension."""
    return {k: v for k, v in record.items() if k == EXTENSION or not isinstance(v, list | dict)}


def _listing(count, load, convert):
    page, per_page, full = parse_page_args(request.args, DEFAULT_PER_PAGE)
    session = db.session()
    contents = convert(session, load(session, (page - 1) * per_page, per_page))
    return jsonify(_page(count(session), page, per_page,
                         contents if full else [_one_to_one(c) for c in contents]))


def _single(find, convert, kind: str, hsds_id: str):
    session = db.session()
    found = find(session, hsds_id)
    if found is None:
        return error_response(404, "not_found", f"no published {kind} with id {hsds_id!r}")
    return jsonify(convert(session, [found])[0])


def _nested_services(session, offers):
    """Services as HSDS's fully nested service: with their organization's own fields."""
    organizations = {o["id"]: _one_to_one(o) for o in hsds.organizations(
        session, list({offer.organisation.id: offer.organisation for offer in offers}.values()))}
    return [{**service, "organization": organizations[service["organization_id"]]}
            for service in hsds.services(session, offers)]


@bp.get("/services")
def services():
    """``modified_after`` and ``organization_id`` (an HSDS id) narrow the listing, as the
    HSDS API's parameters of the same names."""
    filters = {"modified_after": parse_datetime_arg(request.args, "modified_after")}
    organization = request.args.get("organization_id", "").strip()
    if organization:
        org = hsds.organisation_by_hsds_id(db.session(), organization)
        filters["organisation_id"] = org.id if org is not None else -1
    return _listing(partial(directory.count_published_offers, **filters),
                    partial(directory.published_offers, **filters), _nested_services)


@bp.get("/services/<service_id>")
def service(service_id: str):
    return _single(hsds.published_offer_by_hsds_id, _nested_services, "service", service_id)


@bp.get("/organizations")
def organizations():
    return _listing(directory.count_organisations_with_offers, directory.organisations_with_offers,
                    hsds.organizations)


@bp.get("/organizations/<organization_id>")
def organization(organization_id: str):
    return _single(hsds.organisation_by_hsds_id, hsds.organizations, "organization",
                   organization_id)
