"""Authentication, the permission check every route uses, CSRF, the audit and DB sessions.

``allow(permission)`` is the ONE gate: it finds the caller (bearer token, else session
cookie), looks the permission up in ``clearhold.user.roles.POLICY``, audits sensitive
accesses and every refusal, and checks the CSRF token of cookie-authenticated changes.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from clearhold.storage.database import session_scope
from clearhold.user import service as users
from clearhold.user.roles import POLICY
from clearhold.user.service import Principal

SESSION_COOKIE = "clearhold_session"
LOGIN_CSRF_COOKIE = "clearhold_login_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(Exception):
    """No valid session or token: 401 for the API, a redirect to /login for pages."""


class Refused(Exception):
    """Authenticated but the role lacks the permission (or the CSRF token is wrong): 403."""

    def __init__(self, message: str, permission: str | None = None) -> None:
        super().__init__(message)
        self.permission = permission


@contextmanager
def scope(request: Request) -> Iterator[Session]:
    """A database session on the app's engine that commits when the block ends normally."""
    with session_scope(request.app.state.engine) as session:
        yield session


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _principal_sync(request: Request) -> Principal | None:
    header = request.headers.get("authorization", "")
    with scope(request) as session:
        if header[:7].lower() == "bearer ":
            return users.resolve_token(session, token=header[7:].strip())
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            return users.resolve_session(session, token=cookie)
    return None


def _audit_sync(request: Request, principal: Principal | None, permission: str | None, granted: bool,
                detail: dict | None = None) -> None:
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    object_ref = ",".join(f"{k}={v}" for k, v in sorted(request.path_params.items())) or None
    with scope(request) as session:
        users.record_access(session, principal=principal, method=request.method, route=path, permission=permission,
                            granted=granted, object_ref=object_ref, client=client_of(request), detail=detail)


PRINCIPAL_TTL_S = 2.0


def _credential(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return "t:" + header[7:].strip()
    cookie = request.cookies.get(SESSION_COOKIE)
    return "s:" + cookie if cookie else None


async def principal_of(request: Request) -> Principal | None:
    """The caller, resolved once per request (None when not logged in).

    A resolved token or session is remembered for ``PRINCIPAL_TTL_S`` seconds (keyed by its
    SHA-256), so a revoked token, an ended session or a disabled user stops working within
    that time; unknown credentials are never remembered.
    """
    if hasattr(request.state, "principal"):
        return request.state.principal
    import hashlib
    import time

    credential = _credential(request)
    principal = None
    if credential:
        cache = getattr(request.app.state, "principal_cache", None)
        if cache is None:
            cache = request.app.state.principal_cache = {}
        key = hashlib.sha256(credential.encode()).hexdigest()
        hit = cache.get(key)
        now = time.monotonic()
        if hit is not None and hit[1] > now:
            principal = hit[0]
        else:
            principal = await run_in_threadpool(_principal_sync, request)
            if principal is not None:
                if len(cache) > 10_000:
                    cache.clear()
                cache[key] = (principal, now + PRINCIPAL_TTL_S)
    request.state.principal = principal
    return principal


def forget_all_credentials(request: Request) -> None:
    """Drop every cached principal (after revoking a token or changing a user)."""
    cache = getattr(request.app.state, "principal_cache", None)
    if cache is not None:
        cache.clear()


def forget_credential(request: Request) -> None:
    """Drop the caller's cached principal (logout)."""
    import hashlib

    credential = _credential(request)
    cache = getattr(request.app.state, "principal_cache", None)
    if credential and cache is not None:
        cache.pop(hashlib.sha256(credential.encode()).hexdigest(), None)


async def _csrf_ok(request: Request, principal: Principal) -> bool:
    if request.method in SAFE_METHODS or principal.via != "session":
        return True
    sent = request.headers.get(CSRF_HEADER)
    if not sent and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        sent = form.get(CSRF_FIELD)
    return bool(sent) and bool(principal.csrf_token) and hmac.compare_digest(str(sent), principal.csrf_token)


def allow(permission: str):
    """A dependency granting the caller ``permission`` per the policy table, or refusing."""
    policy = POLICY[permission]

    async def dependency(request: Request) -> Principal:
        principal = await principal_of(request)
        if principal is None:
            if policy.sensitive:
                await run_in_threadpool(_audit_sync, request, None, permission, False, {"reason": "not logged in"})
            raise LoginRequired()
        granted = principal.role in {r.value for r in policy.roles}
        if not granted:
            await run_in_threadpool(_audit_sync, request, principal, permission, False, {"reason": "role"})
            raise Refused(f"role {principal.role!r} may not {policy.description}", permission)
        if not await _csrf_ok(request, principal):
            await run_in_threadpool(_audit_sync, request, principal, permission, False, {"reason": "csrf"})
            raise Refused("missing or wrong CSRF token", permission)
        if policy.sensitive:
            await run_in_threadpool(_audit_sync, request, principal, permission, True, None)
        return principal

    dependency.permission = permission  # read by the test that checks every route is gated
    dependency.__name__ = f"allow_{permission.replace('.', '_')}"
    return dependency


def permission_of(route) -> str | None:
    """The permission a route requires (None for public routes)."""
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    stack = list(dependant.dependencies)
    while stack:
        dep = stack.pop()
        found = getattr(dep.call, "permission", None)
        if found:
            return found
        stack.extend(dep.dependencies)
    return None


def iter_routes(app) -> list[tuple[str, frozenset[str], object]]:
    """Every HTTP route of ``app`` as (path, methods, route), through included routers."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI flattens included routers itself
        return [(r.path, frozenset(getattr(r, "methods", None) or ()), r) for r in app.routes]
    found = []
    for ctx in iter_route_contexts(app.routes):
        found.append((ctx.path, frozenset(ctx.methods or ()), ctx))
    return found


def allow_by_path(rules: list[tuple[str, str]]):
    """A dependency for a router written elsewhere: the permission is chosen by the first rule
    whose fragment occurs in the request path (``""`` matches everything)."""
    gates = [(fragment, allow(permission)) for fragment, permission in rules]

    async def dependency(request: Request) -> Principal:
        for fragment, gate in gates:
            if fragment in request.url.path:
                return await gate(request)
        raise Refused("no permission covers this route")

    dependency.permission = "|".join(p for _, p in rules)
    return dependency
