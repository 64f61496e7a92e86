"""Pages: login, dashboard, records, review, audit (and ANPR when it exists).

Each page declares its permission with the same ``allow`` dependency as the API.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

import clearhold
from clearhold.errors import PermissionDenied
from clearhold.interfaces.api.deps import (
    LOGIN_CSRF_COOKIE, SESSION_COOKIE, allow, client_of, principal_of, scope,
)
from clearhold.user import service as users
from clearhold.user.roles import allowed
from clearhold.user.service import Principal

router = APIRouter(include_in_schema=False)


def render(request: Request, template: str, who: Principal | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page with the standard context: the user, their CSRF token, a ``can`` test."""
    base = {
        "who": who,
        "csrf": who.csrf_token if who else "",
        "can": (lambda permission: who is not None and allowed(who.role, permission)),
        "anpr": getattr(request.app.state, "anpr_enabled", False),
        "version": clearhold.__version__,
    }
    base.update(context)
    return request.app.state.templates.TemplateResponse(request, template, base, status_code=status_code)


def _cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=request.app.state.secure_cookies, path="/")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
async def login_form(request: Request, next: str = "/"):  # noqa: A002 - query parameter name
    if await principal_of(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, next=next)


def _login_page(request: Request, *, next: str, error: str = "", name: str = "", status_code: int = 200) -> Response:  # noqa: A002
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
                csrf_token: str = Form(default=""), next: str = Form(default="/")):  # noqa: A002
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


@router.get("/")
def dashboard(request: Request, as_of: str | None = None, who: Principal = Depends(allow("dashboard.read"))):
    from clearhold.interfaces.web import compstat
    from clearhold.operation import service as operations

    day = _parse_day(as_of)
    with scope(request) as session:
        summaries = [_summary(session, op, day) for op in operations.list_(session)]
    for s in summaries:
        s["arrests"] = s["table"].get(("arrest", None))
        s["rows"] = None
    return render(request, "dashboard.html", who, summaries=summaries, labels=compstat.KIND_LABELS)


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
        start, end = compstat.window(as_of)
        year_start = compstat.periods(as_of)[2].start
        query = (sa.select(Record.id, Record.kind, Record.lat, Record.lon, Record.occurred_at)
                 .where(Record.operation_id == op.id, Record.deleted_at.is_(None), Record.lat.is_not(None),
                        Record.occurred_at < end)
                 .order_by(Record.occurred_at.desc()).limit(2000))
        points = [{"id": r.id, "kind": r.kind, "lat": r.lat, "lon": r.lon}
                  for r in session.execute(query) if compstat.local_day(r.occurred_at) >= year_start]
    return {"areas": {"type": "FeatureCollection", "features": features}, "points": points}


@router.get("/operations/{slug}")
def operation_page(request: Request, slug: str, as_of: str | None = None,
                   who: Principal = Depends(allow("dashboard.read"))):
    from clearhold.area import service as areas
    from clearhold.interfaces.web import charts, compstat
    from clearhold.operation import service as operations

    day = _parse_day(as_of)
    with scope(request) as session:
        op = operations.get(session, slug=slug)
        summary = _summary(session, op, day)
        area_list = areas.list_(session, operation_slug=slug)
        map_data = _map_data(session, op, who, summary["as_of"])
    weeks = compstat.weekly(summary["rows"], summary["as_of"], kind="arrest")
    chart = charts.bars_vs_last_year(
        [{"label": w["week_ending"].strftime("%d %b"), "now": w["now"], "prev": w["prev"]} for w in weeks],
        title="Arrests per week (12 weeks to " + summary["as_of"].strftime("%d %b %Y") + ") against last year")
    kinds = [k for k in compstat.KIND_LABELS if (k, None) in summary["table"]] or ["arrest"]
    return render(request, "operation.html", who, s=summary, areas=area_list, kinds=kinds, chart=chart,
                  labels=compstat.KIND_LABELS, map_data=map_data, empty=compstat.Cell(0, 0))
