"""Users, passwords, sessions, tokens, throttling and the audit, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from clearhold.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from clearhold.storage.database import session_scope
from clearhold.user import service
from clearhold.user.roles import POLICY, ROLES, allowed, check_role, matrix
from clearhold.user.tables import LoginAttempt, User

PASSWORD = "a long enough password"


@pytest.fixture
def engine(any_engine):
    with session_scope(any_engine) as session:
        service.create(session, name="alice", role="officer", password=PASSWORD)
    return any_engine


def test_password_is_stored_as_an_argon2_hash(engine):
    with session_scope(engine) as session:
        stored = session.scalar(sa.select(User.password_hash).where(User.name == "alice"))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_authenticate_accepts_the_right_password_only(engine):
    with session_scope(engine) as session:
        assert service.authenticate(session, name="alice", password=PASSWORD, client="10.0.0.1").name == "alice"
    for name, password in (("alice", "wrong password!!"), ("nobody", PASSWORD)):
        with session_scope(engine) as session, pytest.raises(PermissionDenied, match="name or password not recognised"):
            service.authenticate(session, name=name, password=password, client="10.0.0.1")


def test_disabled_users_cannot_log_in_and_lose_their_sessions(engine):
    with session_scope(engine) as session:
        user = service.get(session, name="alice")
        token, _ = service.open_session(session, user=user)
        assert service.resolve_session(session, token=token).name == "alice"
        service.update(session, name="alice", active=False)
        assert service.resolve_session(session, token=token) is None
    with session_scope(engine) as session, pytest.raises(PermissionDenied, match="disabled"):
        service.authenticate(session, name="alice", password=PASSWORD)


def test_throttle_after_five_failures_in_fifteen_minutes(engine):
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        for minute in range(5):
            session.add(LoginAttempt(name="alice", client="10.0.0.2", at=now - timedelta(minutes=minute), ok=False))
    with session_scope(engine) as session, pytest.raises(service.Throttled, match="too many failed logins for 'alice'"):
        service.authenticate(session, name="alice", password=PASSWORD, client="10.0.0.3", now=now)
    later = now + timedelta(minutes=16)  # the window has passed
    with session_scope(engine) as session:
        assert service.authenticate(session, name="alice", password=PASSWORD, client="10.0.0.3", now=later).name == "alice"


def test_throttle_by_client_address_after_twenty_failures(engine):
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        for i in range(20):
            session.add(LoginAttempt(name=f"guess{i}", client="10.9.9.9", at=now, ok=False))
    with session_scope(engine) as session, pytest.raises(service.Throttled):
        service.check_throttle(session, name="alice", client="10.9.9.9", now=now)
    with session_scope(engine) as session:
        service.check_throttle(session, name="alice", client="10.9.9.8", now=now)


def test_tokens_resolve_until_revoked_or_expired(engine):
    with session_scope(engine) as session:
        token, row = service.issue_token(session, name="alice", label="phone", days=1)
        assert token.startswith("chk_") and row.token_hash != token and row.prefix == token[:12]
        assert service.resolve_token(session, token=token).role == "officer"
        service.revoke_token(session, name="alice", token_id=row.id)
        assert service.resolve_token(session, token=token) is None
        expired, row2 = service.issue_token(session, name="alice", label="old", days=1)
        row2.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.flush()
        assert service.resolve_token(session, token=expired) is None
        assert service.resolve_token(session, token="") is None


def test_audit_rows_are_listed_newest_first_and_filtered(engine):
    principal = service.Principal(user_id=1, name="alice", role="officer", via="token")
    with session_scope(engine) as session:
        service.record_access(session, principal=principal, method="GET", route="/api/v1/records/{record_id}",
                              permission="records.read", granted=True, object_ref="record_id=7", client="10.0.0.1")
        service.record_access(session, principal=None, method="GET", route="/api/v1/audit",
                              permission="audit.read", granted=False, detail={"reason": "not logged in"})
    with session_scope(engine) as session:
        rows = service.list_audit(session)
        assert [(r.user_name, r.granted) for r in rows] == [(None, False), ("alice", True)]
        assert [r.object_ref for r in service.list_audit(session, user_name="alice")] == ["record_id=7"]
        naive = datetime.now() + timedelta(days=1)  # noqa: DTZ005 - a naive time is read as UTC
        assert service.list_audit(session, since=naive) == []


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"name": "bob", "role": "chief", "password": PASSWORD}, InvalidInput, "role was 'chief'; it must be one of officer"),
    ({"name": "bob", "role": "analyst", "password": "short"}, InvalidInput, "password has 5 characters; it must have at least 12"),
    ({"name": "b", "role": "analyst", "password": PASSWORD}, InvalidInput, "name was 'b'"),
    ({"name": "alice", "role": "analyst", "password": PASSWORD}, Conflict, "user 'alice' already exists"),
    ({"name": "bob", "role": "analyst", "password": 123456789012345}, TypeError, "password must be a str"),
])
def test_create_refusals(engine, kwargs, error, match):
    with session_scope(engine) as session, pytest.raises(error, match=match):
        service.create(session, **kwargs)


def test_lookup_refusals(engine):
    with session_scope(engine) as session:
        with pytest.raises(NotFound, match="no user named 'carol'"):
            service.get(session, name="carol")
        with pytest.raises(NotFound, match="user 'alice' has no token 999"):
            service.revoke_token(session, name="alice", token_id=999)
        with pytest.raises(InvalidInput, match="days was 400"):
            service.issue_token(session, name="alice", label="x", days=400)
        with pytest.raises(InvalidInput, match="limit was 0"):
            service.list_audit(session, limit=0)


def test_role_matrix_has_every_role_and_partners_never_see_sensitive_content():
    assert ROLES == ("officer", "analyst", "supervisor", "partner", "admin")
    rows = matrix()
    assert [r["permission"] for r in rows] == list(POLICY)
    for permission in ("records.read", "intel.read", "anpr.alerts", "anpr.search", "anpr.hotlist", "audit.read"):
        assert not allowed("partner", permission), permission
    assert all(allowed("admin", p) for p in POLICY)
    assert check_role("admin").value == "admin"


def test_docs_role_matrix_matches_the_policy_table():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "roles.md").read_text()
    for row in matrix():
        cells = " | ".join("yes" if row[r] else "—" for r in ROLES)
        assert f"| `{row['permission']}` | {cells} |" in doc, row["permission"]
