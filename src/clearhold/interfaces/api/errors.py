"""Map clearhold errors and the auth outcomes to HTTP responses (JSON for /api, pages otherwise)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from urllib.parse import quote

from clearhold.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RowError
from clearhold.interfaces.api.deps import LoginRequired, Refused


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _page(request: Request, status: int, title: str, message: str) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html", {"title": title, "message": message}, status_code=status)


def _invalid_detail(exc: InvalidInput, method: str) -> list[dict]:
    """A service refusal in FastAPI's error shape; the field, when the message starts with it."""
    root = "body" if method in ("POST", "PUT", "PATCH") else "query"
    if isinstance(exc, RowError):
        return [{"loc": [root, exc.field or "row"], "msg": str(exc), "type": "invalid_input"}]
    head, sep, _ = str(exc).partition(" was ")
    if not sep:
        head, sep, _ = str(exc).partition(": ")
    field = head if sep and head.replace("_", "").replace(".", "").isalnum() else None
    return [{"loc": [root, field] if field else [root], "msg": str(exc), "type": "invalid_input"}]


def install(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "not authenticated"}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=403)
        return _page(request, 403, "Refused", str(exc))

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=404)
        return _page(request, 404, "Not found", str(exc))

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=409)
        return _page(request, 409, "Conflict", str(exc))

    @app.exception_handler(InvalidInput)
    async def _invalid(request: Request, exc: InvalidInput) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": _invalid_detail(exc, request.method)}, status_code=422)
        return _page(request, 422, "Not accepted", str(exc))

    @app.exception_handler(Exception)
    async def _server_error(request: Request, exc: Exception) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "internal error; it has been logged"}, status_code=500)
        return _page(request, 500, "Something went wrong", "The error has been logged.")

    @app.exception_handler(PermissionDenied)
    async def _denied(request: Request, exc: PermissionDenied) -> Response:
        from clearhold.user.service import Throttled

        status = 429 if isinstance(exc, Throttled) else 403
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=status)
        return _page(request, status, "Refused", str(exc))
