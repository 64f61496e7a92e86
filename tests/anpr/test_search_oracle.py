"""Wildcard search against Python's fnmatch as an oracle (exact and misread-tolerant)."""

from __future__ import annotations

from datetime import timedelta
from fnmatch import fnmatchcase

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clearhold.anpr import access, plates, search, service
from clearhold.storage.database import session_scope
from tests.anpr.conftest import NOW, read

PLATES = ["AB12CDE", "A812CDE", "AB12CDF", "XY51ABC", "XY5IABC", "ZZ99ZZZ", "A1", "B2", "SO5OBD", "505080"]
PATTERN = st.text(st.sampled_from(list("AB12CDEXYZ5S0O*?")), min_size=1, max_size=8)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pattern=PATTERN, misread=st.booleans())
def test_search_equals_fnmatch(sqlite_engine, pattern, misread):
    with session_scope(sqlite_engine) as s:
        if not service.list_cameras(s):  # first example: load the plates once
            service.upsert_cameras(s, cameras_in=[{"camera_ref": "CAM1"}])
            live = service.load_index(s)
            service.ingest_reads(s, reads_in=[read(f"r{i}", p) for i, p in enumerate(PLATES)], live=live, received_at=NOW)
            access.grant_role(s, user="ana", role="anpr_analyst", granted_by="admin", reason="t",
                              now=NOW - timedelta(days=1))
    with session_scope(sqlite_engine) as s:
        rows = search.search_reads(s, user="ana", reason="oracle", now=NOW, query=search.ReadQuery(
            pattern=pattern, since=NOW - timedelta(days=1), misread_tolerant=misread))
    got = sorted(r["vrm"] for r in rows)
    if misread:
        want = sorted(p for p in PLATES if fnmatchcase(plates.misread_key(p), _key_pattern(pattern)))
    else:
        want = sorted(p for p in PLATES if fnmatchcase(p, pattern))
    assert got == want


def _key_pattern(pattern: str) -> str:
    return "".join(ch if ch in "*?" else plates.misread_key(ch) for ch in pattern)
