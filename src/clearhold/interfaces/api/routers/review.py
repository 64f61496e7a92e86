"""The results review of an operation for a period: JSON, PDF, HTML or Markdown.

Partners receive it sanitised: figures and breakdowns only, without record ids, record
rows, activity points or the intelligence breakdowns.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from clearhold.interfaces.api.deps import allow, scope
from clearhold.interfaces.api.routers.common import AUTH_ERRORS, NOT_FOUND, Message
from clearhold.user.roles import allowed
from clearhold.user.service import Principal

router = APIRouter(prefix="/api/v1", tags=["review"], responses=AUTH_ERRORS)

MEDIA = {"json": "application/json", "pdf": "application/pdf", "html": "text/html; charset=utf-8",
         "md": "text/markdown; charset=utf-8"}
_TRACE_KEYS = {"record_ids": list, "intel_log_ids": list, "record_values": dict}


def sanitise(review: dict[str, Any]) -> dict[str, Any]:
    """The review as a partner may see it (a new dict; the input is left unchanged).

    Trace lists (record and intelligence log ids, per-record values) are emptied, record rows
    and points dropped.
    """

    def strip(value):
        if isinstance(value, dict):
            return {k: (_TRACE_KEYS[k]() if k in _TRACE_KEYS else strip(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    out = strip(review)
    out["records"] = []
    out["points"] = []
    for fig in out.get("figures", []):
        if str(fig.get("key", fig.get("id", ""))).startswith("intel"):
            fig["breakdowns"] = {}
    out["sanitised"] = True
    return out


def _cache(request: Request):
    from clearhold.interfaces.api.review_cache import ReviewCache

    cache = getattr(request.app.state, "review_cache", None)
    if cache is None:
        cache = request.app.state.review_cache = ReviewCache()
    return cache


def _check_period(start: date | None, end: date | None) -> None:
    from clearhold.errors import InvalidInput

    if start is not None and end is not None and end < start:
        raise InvalidInput(f"to was {end}; it must not be before from ({start})")


def version_key(request: Request, slug: str, start: date | None, end: date | None) -> tuple:
    """The cache key of this review as the data stands now (one cheap query)."""
    from clearhold.interfaces.api.review_cache import key_for

    return key_for(request.app.state.engine, slug, start, end)


def _build(request: Request, slug: str, start: date | None, end: date | None) -> dict[str, Any]:
    from clearhold.reports import review as reviews

    with scope(request) as session:
        return reviews.build_review(session, operation_slug=slug, start=start, end=end)


def build_for(request: Request, who: Principal, slug: str, start: date | None, end: date | None,
              *, key: tuple | None = None) -> dict[str, Any]:
    """The review for ``who``: whole for police roles, sanitised for partners (shared: read-only).

    ``key``: the :func:`version_key` when the caller has read it already.
    """
    _check_period(start, end)
    key = key or version_key(request, slug, start, end)
    cache = _cache(request)
    whole = cache.get(key, lambda: _build(request, slug, start, end))
    if allowed(who.role, "records.read"):
        return whole
    return cache.get(("sanitised", *key), lambda: sanitise(whole))


def json_for(request: Request, who: Principal, slug: str, start: date | None, end: date | None):
    """The review as JSON, serialised (and gzipped) once per version of the data."""
    import json

    from clearhold.interfaces.api.review_cache import Encoded

    key = version_key(request, slug, start, end)
    review = build_for(request, who, slug, start, end, key=key)
    police = allowed(who.role, "records.read")
    return _cache(request).get(("json", police, *key), lambda: Encoded.of(json.dumps(review, ensure_ascii=False).encode()))


def rendered(review: dict[str, Any], fmt: str) -> Response:
    from fastapi.responses import JSONResponse

    from clearhold.reports import review as reviews

    render = getattr(reviews, "render", None)
    if render is None:
        try:
            from clearhold.reports.render import render
        except ImportError:
            render = None
    if render is None:
        return JSONResponse({"detail": f"the {fmt} rendering of the review is not available in this build"}, status_code=501)
    body = render(review, fmt)
    slug = review["operation"]["slug"]
    name = f"review-{slug}-{review['period']['from']}-{review['period']['to']}.{fmt}"
    # a download (its own inline map code is meant for a file opened on its own, not this origin)
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/operations/{slug}/review", responses={
    **NOT_FOUND, 501: {"model": Message, "description": "This rendering is not available in this build"}, 200: {"description": "The review (JSON schema: docs/review-schema.md) or a PDF/HTML/Markdown file",
                       "content": {"application/json": {}, "application/pdf": {}, "text/html": {}, "text/markdown": {}}}})
def get_review(request: Request, slug: str = Path(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$"),
               start: date | None = Query(default=None, alias="from", description="First day (default: operation start)"),
               end: date | None = Query(default=None, alias="to", description="Last day, inclusive"),
               fmt: Literal["json", "pdf", "html", "md"] = Query(default="json", alias="format"),
               who: Principal = Depends(allow("review.read"))):
    if fmt == "json":
        from clearhold.interfaces.api.review_cache import send_encoded

        return send_encoded(request, json_for(request, who, slug, start, end), "application/json")
    return rendered(build_for(request, who, slug, start, end), fmt)
