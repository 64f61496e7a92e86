"""Pages: login, dashboard, records, review, audit (and ANPR when it exists).

Each page declares its permission with the same ``allow`` dependency as the API.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

import clearhold
from clearhold.errors import PermissionDenied
from clearhold.interfaces.api.deps import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    allow,
    client_of,
    principal_of,
    scope,
)
from clearhold.user import service as users
from clearhold.user.roles import allowed
from clearhold.user.service import Principal

router = APIRouter(include_in_schema=False)


def _standard(request: Request, who: Principal | None) -> dict[str, Any]:
    """The context every page has: the user, their CSRF token, a ``can`` test."""
    return {
        "who": who,
        "csrf": who.csrf_token if who else "",
        "can": (lambda permission: who is not None and allowed(who.role, permission)),
        "anpr": getattr(request.app.state, "anpr_enabled", False),
        "version": clearhold.__version__,
    }


def render(request: Request, template: str, who: Principal | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page with the standard context: the user, their CSRF token, a ``can`` test."""
    base = _standard(request, who)
    base.update(context)
    return request.app.state.templates.TemplateResponse(request, template, base, status_code=status_code)


def fragment(request: Request, template: str, role: str, key: tuple, context: Callable[[], dict[str, Any]]):
    """``template`` rendered once per ``key`` and role, as Markup for a page to place.

    A fragment may depend on the role (``can``), never on the user: it is rendered for a
    nameless principal of that role, without a CSRF token. ``key`` must change whenever
    the data shown changes (it holds the data version); ``context`` is called only to build.
    """
    from markupsafe import Markup

    def build() -> Markup:
        viewer = Principal(user_id=0, name="", role=role, via="cache")
        page = request.app.state.templates.get_template(template)
        return Markup(page.render({**_standard(request, viewer), **context()}))

    return _view_cache(request).get(("fragment", template, role, *key), build)


def _cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=request.app.state.secure_cookies, path="/")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
async def login_form(request: Request, next: str = "/"):  # "next" shadows a built-in: it is the query parameter's name
    if await principal_of(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, next=next)


def _login_page(request: Request, *, next: str, error: str = "", name: str = "", status_code: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", None, status_code=status_code, login_csrf=token,
                      next=_safe_next(next), error=error, name=name)
    _cookie(request, response, LOGIN_CSRF_COOKIE, token, 3600)
    return response


def _login_sync(request: Request, name: str, password: str) -> tuple[str | None, str | None, int]:
    """(session cookie, error, status): attempts are kept even when the login fails."""
    with scope(request) as session:
        try:
            user = users.authenticate(session, name=name, password=password, client=client_of(request))
        except users.Throttled as exc:
            return None, str(exc), 429
        except PermissionDenied as exc:
            return None, str(exc), 401
        token, _ = users.open_session(session, user=user)
        return token, None, 200


@router.post("/login")
async def login(request: Request, name: str = Form(max_length=64), password: str = Form(max_length=1024),
                csrf_token: str = Form(default=""), next: str = Form(default="/")):
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf_token):
        return _login_page(request, next=next, name=name, error="The form had expired; please log in again.",
                           status_code=403)
    token, error, status = await run_in_threadpool(_login_sync, request, name, password)
    if token is None:
        return _login_page(request, next=next, name=name, error=error or "", status_code=status)
    response = RedirectResponse(_safe_next(next), status_code=303)
    _cookie(request, response, SESSION_COOKIE, token, users.SESSION_HOURS * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, who: Principal = Depends(allow("account.own"))):
    from clearhold.interfaces.api.deps import forget_credential

    forget_credential(request)
    with scope(request) as session:
        users.close_session(session, token=request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/audit")
def audit_page(request: Request, user: str | None = None, who: Principal = Depends(allow("audit.read"))):
    with scope(request) as session:
        rows = users.list_audit(session, user_name=(user or None) and user[:64], limit=500)
    return render(request, "audit.html", who, rows=rows, user=user)


# --- dashboard -------------------------------------------------------------------------------

def _parse_day(value: str | None):
    from datetime import date

    from clearhold.errors import InvalidInput

    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"as_of was {value!r}; give a date as YYYY-MM-DD") from None


def _summary(session, op, as_of) -> dict:
    from clearhold.interfaces.web import compstat

    as_of = as_of or compstat.default_as_of(op.starts_on, op.ends_on)
    rows = compstat.rows_for(session, operation_id=op.id, as_of=as_of)
    table = compstat.tabulate(rows, as_of)
    return {"op": op, "as_of": as_of, "rows": rows, "table": table, "periods": compstat.periods(as_of)}


def _view_cache(request: Request):
    from clearhold.interfaces.api.review_cache import ReviewCache

    cache = getattr(request.app.state, "view_cache", None)
    if cache is None:
        cache = request.app.state.view_cache = ReviewCache(size=256)
    return cache


def _dashboard_data(session, day) -> list[dict]:
    from clearhold.operation import service as operations

    out = []
    for op in operations.list_(session):
        s = _summary(session, op, day)
        out.append({"op": op, "as_of": s["as_of"], "periods": s["periods"], "arrests": s["table"].get(("arrest", None))})
    return out


def _fresh_dashboard(request: Request, day) -> list[dict]:
    with scope(request) as session:
        return _dashboard_data(session, day)


@router.get("/")
def dashboard(request: Request, as_of: str | None = None, who: Principal = Depends(allow("dashboard.read"))):
    from datetime import date

    from clearhold.interfaces.api.review_cache import data_version
    from clearhold.interfaces.web import compstat

    day = _parse_day(as_of)
    key = ("dashboard", day, date.today(), data_version(request.app.state.engine))

    def context() -> dict[str, Any]:
        summaries = _view_cache(request).get(key, lambda: _fresh_dashboard(request, day))
        return {"summaries": summaries, "labels": compstat.KIND_LABELS}

    return render(request, "dashboard.html", who, main=fragment(request, "dashboard_main.html", who.role, key, context))


def _map_data(session, op, who: Principal, as_of) -> dict:
    """Area boundaries (everyone) and, for police roles, this year's record points."""
    import sqlalchemy as sa

    from clearhold.area import service as areas
    from clearhold.interfaces.web import compstat
    from clearhold.record.tables import Record

    features = [
        {"type": "Feature", "geometry": a.geometry, "properties": {"name": a.name, "role": a.role, "slug": a.slug}}
        for a in areas.list_(session, operation_slug=op.slug) if a.geometry
    ]
    points = []
    if allowed(who.role, "records.read"):
        _, end = compstat.window(as_of)
        year_start = compstat.periods(as_of)[2].start
        query = (sa.select(Record.id, Record.kind, Record.lat, Record.lon, Record.occurred_at)
                 .where(Record.operation_id == op.id, Record.deleted_at.is_(None), Record.lat.is_not(None),
                        Record.occurred_at < end)
                 .order_by(Record.occurred_at.desc()).limit(2000))
        points = [{"id": r.id, "kind": r.kind, "lat": r.lat, "lon": r.lon}
                  for r in session.execute(query) if compstat.local_day(r.occurred_at) >= year_start]
    return {"areas": {"type": "FeatureCollection", "features": features}, "points": points}


def _operation_data(session, slug: str, day, police: bool) -> dict:
    from jinja2.utils import htmlsafe_json_dumps

    from clearhold.area import service as areas
    from clearhold.interfaces.web import charts, compstat
    from clearhold.operation import service as operations

    op = operations.get(session, slug=slug)
    summary = _summary(session, op, day)
    viewer = Principal(user_id=0, name="", role="analyst" if police else "partner", via="cache")
    map_data = _map_data(session, op, viewer, summary["as_of"])
    weeks = compstat.weekly(summary["rows"], summary["as_of"], kind="arrest")
    chart = charts.bars_vs_last_year(
        [{"label": w["week_ending"].strftime("%d %b"), "now": w["now"], "prev": w["prev"]} for w in weeks],
        title="Arrests per week (12 weeks to " + summary["as_of"].strftime("%d %b %Y") + ") against last year")
    kinds = [k for k in compstat.KIND_LABELS if (k, None) in summary["table"]] or ["arrest"]
    summary.pop("rows")
    return {"s": summary, "areas": areas.list_(session, operation_slug=slug), "kinds": kinds, "chart": chart,
            "map_json": htmlsafe_json_dumps(map_data), "points": len(map_data["points"])}


def _fresh_operation(request: Request, slug: str, day, police: bool) -> dict:
    with scope(request) as session:
        return _operation_data(session, slug, day, police)


@router.get("/operations/{slug}")
def operation_page(request: Request, slug: str, as_of: str | None = None,
                   who: Principal = Depends(allow("dashboard.read"))):
    from datetime import date

    from clearhold.interfaces.api.review_cache import data_version
    from clearhold.interfaces.web import compstat

    day = _parse_day(as_of)
    police = allowed(who.role, "records.read")
    key = ("operation", slug, day, date.today(), police, data_version(request.app.state.engine))
    data = _view_cache(request).get(key, lambda: _fresh_operation(request, slug, day, police))
    main = fragment(request, "operation_main.html", who.role, key,
                    lambda: {"labels": compstat.KIND_LABELS, "empty": compstat.Cell(0, 0), **data})
    return render(request, "operation.html", who, title=data["s"]["op"].name, main=main)


# --- records ---------------------------------------------------------------------------------

def _form_context(session, slug: str) -> dict:
    from clearhold.area import service as areas
    from clearhold.operation import service as operations

    op = operations.get(session, slug=slug)
    return {"op": op, "area_choices": [(a.slug, a.name) for a in areas.list_(session, operation_slug=slug)],
            "tactic_choices": [t.name for t in op.tactics]}


def _record_form(request: Request, who: Principal, *, slug: str, kind: str, values: dict, errors: dict,
                 status_code: int = 200, record=None, action: str | None = None) -> Response:
    from clearhold.interfaces.web import forms

    with scope(request) as session:
        ctx = _form_context(session, slug)
    return render(request, "record_form.html", who, status_code=status_code, kind=kind, values=values, errors=errors,
                  fields=forms.KIND_FIELDS[kind], kinds=forms.KIND_LABELS, has_items=kind in forms.HAS_ITEMS,
                  item_fields=forms.ITEM_FIELDS, item_choices=forms.ITEM_CHOICES, max_items=forms.MAX_ITEMS,
                  record=record, action=action or f"/operations/{slug}/records/new?kind={kind}", **ctx)


def _check_kind(kind: str) -> str:
    from clearhold.errors import InvalidInput
    from clearhold.interfaces.web import forms

    if kind not in forms.KIND_FIELDS:
        raise InvalidInput(f"kind was {kind!r}; it must be one of: {', '.join(forms.KIND_FIELDS)}")
    return kind


def _record_count(session, operation_id: int, kind: str | None) -> int:
    import sqlalchemy as sa

    from clearhold.record.tables import Record

    query = sa.select(sa.func.count()).select_from(Record).where(
        Record.operation_id == operation_id, Record.deleted_at.is_(None))
    if kind:
        query = query.where(Record.kind == kind)
    return int(session.scalar(query) or 0)


@router.get("/operations/{slug}/records")
def records_page(request: Request, slug: str, kind: str | None = None,
                 who: Principal = Depends(allow("records.read"))):
    from clearhold.area import service as areas
    from clearhold.interfaces.web import forms
    from clearhold.operation import service as operations
    from clearhold.record import service as records

    if kind:
        _check_kind(kind)
    with scope(request) as session:
        op = operations.get(session, slug=slug)
        rows = records.list_(session, operation_slug=slug, kind=kind or None,
                             offset=max(0, _record_count(session, op.id, kind) - 300))[::-1]
        area_names = {a.id: a.name for a in areas.list_(session, operation_slug=slug)}
    return render(request, "records.html", who, op=op, rows=rows, kind=kind, kinds=forms.KIND_LABELS,
                  area_names=area_names)


@router.get("/operations/{slug}/records/new")
def new_record(request: Request, slug: str, kind: str = "arrest", who: Principal = Depends(allow("records.create"))):
    from datetime import datetime

    from clearhold.interfaces.web import forms

    _check_kind(kind)
    now = datetime.now(forms.LOCAL).strftime("%Y-%m-%dT%H:%M")
    return _record_form(request, who, slug=slug, kind=kind, values={"occurred_at": now}, errors={})


def _create_sync(request: Request, who: Principal, slug: str, kind: str, form: dict) -> tuple[int | None, dict]:
    from pydantic import ValidationError

    from clearhold.errors import Conflict, InvalidInput, NotFound
    from clearhold.interfaces.web import forms
    from clearhold.record import service as records
    from clearhold.record.schemas import parse_record

    data = forms.record_from_form(kind, slug, form)
    try:
        record_in = parse_record(data)
    except ValidationError as exc:
        return None, forms.errors_by_field(exc)
    try:
        with scope(request) as session:
            record = records.create(session, record_in=record_in, entered_by=who.name)
            return record.id, {}
    except Conflict as exc:
        return None, {"ref": str(exc)}
    except (InvalidInput, NotFound) as exc:
        return None, forms.error_for_message(str(exc), forms.field_names(kind))


@router.post("/operations/{slug}/records/new")
async def create_record(request: Request, slug: str, kind: str = "arrest",
                        who: Principal = Depends(allow("records.create"))):
    _check_kind(kind)
    form = {k: str(v) for k, v in (await request.form()).items()}
    record_id, errors = await run_in_threadpool(_create_sync, request, who, slug, kind, form)
    if record_id is None:
        return await run_in_threadpool(lambda: _record_form(request, who, slug=slug, kind=kind, values=form,
                                                            errors=errors, status_code=422))
    return RedirectResponse(f"/records/{record_id}?created=1", status_code=303)


def _record_view(request: Request, record_id: int, include_deleted: bool = True):
    from clearhold.record import service as records

    with scope(request) as session:
        record = records.get(session, record_id=record_id, include_deleted=include_deleted)
        state = records.to_state(session, record)
        history = records.history(session, record_id=record_id)
    return state, history


HIDDEN_STATE = {"id", "kind", "items", "offences", "survey", "version", "deleted_at", "deleted_by", "deletion_reason"}


@router.get("/records/{record_id}")
def record_page(request: Request, record_id: int, created: int = 0, corrected: int = 0,
                who: Principal = Depends(allow("records.read"))):
    from clearhold.interfaces.web import forms

    state, history = _record_view(request, record_id)
    return render(request, "record.html", who, state=state, history=history, hidden=HIDDEN_STATE,
                  kinds=forms.KIND_LABELS, created=created, corrected=corrected)


@router.get("/records/{record_id}/correct")
def correct_form(request: Request, record_id: int, who: Principal = Depends(allow("records.correct"))):
    from clearhold.interfaces.web import forms

    state, _ = _record_view(request, record_id, include_deleted=False)
    return _record_form(request, who, slug=state["operation"], kind=state["kind"], values=forms.form_from_record(state),
                        errors={}, record=state, action=f"/records/{record_id}/correct")


def _correct_sync(request: Request, who: Principal, record_id: int, form: dict) -> tuple[dict, dict]:
    from pydantic import ValidationError

    from clearhold.errors import Conflict, InvalidInput, NotFound
    from clearhold.interfaces.web import forms
    from clearhold.record import service as records
    from clearhold.record.schemas import RecordCorrection, parse_record
    from clearhold.record.service import _jsonable

    with scope(request) as session:
        record = records.get(session, record_id=record_id)
        current = _jsonable(records.to_input(session, record))
    kind = current["kind"]
    data = forms.record_from_form(kind, current["operation"], form)
    try:
        parsed = parse_record(data).model_dump(mode="json", exclude_unset=False)
    except ValidationError as exc:
        return current, forms.errors_by_field(exc)
    baseline = parse_record(current).model_dump(mode="json")
    changes = {k: data.get(k) for k, v in parsed.items()
               if v != baseline.get(k) and k not in ("kind", "operation")}
    if "items" in changes:
        changes["items"] = data.get("items", [])
    reason = (form.get("reason") or "").strip()
    if not changes:
        return current, {"__all__": "the correction changes nothing"}
    try:
        correction = RecordCorrection(changes=changes, reason=reason, expected_version=int(form.get("version") or 0) or None)
    except ValidationError as exc:
        return current, {"reason": "; ".join(e["msg"] for e in exc.errors())}
    try:
        with scope(request) as session:
            records.correct(session, record_id=record_id, correction=correction, changed_by=who.name)
    except Conflict as exc:
        return current, {"__all__": str(exc)}
    except (InvalidInput, NotFound) as exc:
        return current, forms.error_for_message(str(exc), forms.field_names(kind))
    return current, {}


@router.post("/records/{record_id}/correct")
async def correct_record(request: Request, record_id: int, who: Principal = Depends(allow("records.correct"))):
    form = {k: str(v) for k, v in (await request.form()).items()}
    current, errors = await run_in_threadpool(_correct_sync, request, who, record_id, form)
    if errors:
        return await run_in_threadpool(lambda: _record_form(
            request, who, slug=current["operation"], kind=current["kind"], values=form, errors=errors,
            status_code=422, record={**current, "id": record_id, "version": form.get("version")},
            action=f"/records/{record_id}/correct"))
    return RedirectResponse(f"/records/{record_id}?corrected=1", status_code=303)


@router.post("/records/{record_id}/delete")
def delete_record(request: Request, record_id: int, reason: str = Form(default="", max_length=2000),
                  who: Principal = Depends(allow("records.delete"))):
    from clearhold.record import service as records

    with scope(request) as session:
        records.delete(session, record_id=record_id, deleted_by=who.name, reason=reason)
    return RedirectResponse(f"/records/{record_id}", status_code=303)


# --- review, intelligence ------------------------------------------------------------------------

@router.get("/operations/{slug}/review")
def review_page(request: Request, slug: str, start: str | None = None, end: str | None = None,
                who: Principal = Depends(allow("review.read"))):
    from clearhold.interfaces.api.routers.review import build_for, version_key

    first, last = _parse_day(start), _parse_day(end)
    key = version_key(request, slug, first, last)
    review = build_for(request, who, slug, first, last, key=key)
    main = fragment(request, "review_main.html", who.role, ("review", *key), lambda: _review_context(review, who.role, slug))
    return render(request, "review.html", who, title=review["operation"]["name"], main=main,
                  synthetic=review.get("synthetic"))


def _review_context(review: dict, role: str, slug: str) -> dict[str, Any]:
    from urllib.parse import urlencode

    query = {"from": review["period"]["from"], "to": review["period"]["to"]}
    downloads = {fmt: f"/api/v1/operations/{slug}/review?{urlencode({**query, 'format': fmt})}"
                 for fmt in ("pdf", "json", "html", "md")}
    cards = None
    if allowed(role, "analysis.read"):
        cards = (review.get("scorecards") or {}).get("tactics")  # built with the review (reports.sections)
    return {"review": review, "downloads": downloads, "trace": allowed(role, "records.read"), "cards": cards}


@router.get("/intel")
def intel_page(request: Request, operation: str | None = None, who: Principal = Depends(allow("intel.read"))):
    from clearhold.intel import service as intel

    with scope(request) as session:
        logs = intel.list_(session, operation_slug=operation or None)[-200:][::-1]
    return render(request, "intel.html", who, logs=logs, operation=operation)


# --- analysis --------------------------------------------------------------------------------

@router.get("/hotspots")
def hotspots_page(request: Request, area: str | None = None, start: str | None = None, end: str | None = None,
                  method: str = "gistar", who: Principal = Depends(allow("analysis.read"))):
    """Hotspot map of police recorded crime (from the crime store) for an area and months."""
    import re

    from jinja2.utils import htmlsafe_json_dumps

    from clearhold.area import service as areas
    from clearhold.errors import ClearholdError
    from clearhold.interfaces.api.routers.analysis import hotspots_geojson

    with scope(request) as session:
        area_choices = [(a.slug, a.name) for a in areas.list_(session)]
    values = {"area": area or "", "start": start or "", "end": end or "", "method": method}
    error, map_json, summary = "", None, None
    month = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
    if request.query_params:
        try:
            for name, value in (("from", start), ("to", end)):
                if value and not month.match(value):
                    from clearhold.errors import InvalidInput

                    raise InvalidInput(f"{name} was {value!r}; give a month as YYYY-MM")
            if method not in ("gistar", "kde", "count", "emerging"):
                from clearhold.errors import InvalidInput

                raise InvalidInput(f"method was {method!r}; it must be gistar, kde, count or emerging")
            collection = hotspots_geojson(request, area=area or None, start_month=start or None, end_month=end or None,
                                          method=method)
            cells = [f for f in collection["features"]
                     if f["properties"].get("layer") != "cells" or (f["properties"].get("count") or 0) > 0]
            hot = sum(1 for f in cells if f["properties"].get("hotspot_class") in ("hot", "persistent", "emerging"))
            summary = {"cells": len(cells), "hot": hot, "meta": collection.get("metadata", {})}
            map_json = htmlsafe_json_dumps({"areas": {"type": "FeatureCollection", "features": cells}, "points": []})
        except ClearholdError as exc:
            error = str(exc)
    return render(request, "hotspots.html", who, area_choices=area_choices, values=values, error=error,
                  map_json=map_json, summary=summary, status_code=422 if error else 200)
