"""Hits become ledger records: a stop (reason anpr_hit, anpr_hit_ref) and an arrest from that stop."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from clearhold.anpr import flows, service
from clearhold.errors import Conflict, InvalidInput
from clearhold.storage.database import session_scope
from tests.anpr.conftest import read
from tests.support.ledger import make_operation

AT = datetime(2023, 8, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def accepted(hotlisted):
    make_operation(hotlisted)
    with session_scope(hotlisted) as s:
        service.upsert_cameras(s, cameras_in=[{"camera_ref": "CAM1", "lat": 52.235, "lon": -0.895}])
        live = service.load_index(s)
        alerts = service.ingest_reads(s, reads_in=[read("r1", "AB12CDE", at=AT), read("r2", "AB I2CDE", at=AT),
                                                   read("r3", "XY51ABC", at=AT)], live=live).hits
        ids = [a["hit_id"] for a in alerts]
        for hit_id in ids:
            service.acknowledge(s, hit_id=hit_id, decision="accept", by="pc1", image_viewed=True)
    return hotlisted, ids


def test_arrest_becomes_stop_and_arrest_records(accepted):
    from clearhold.record import service as records

    engine, ids = accepted
    with session_scope(engine) as s:
        hit = flows.record_outcome(s, hit_id=ids[1], outcome="arrest", by="pc1", operation="op-test", at=AT,
                                   person_ref="P-0042", offence="Possession of weapons offences:knife in vehicle",
                                   tactic="ANPR stops", age_band="18-24")
        stop = records.get(s, record_id=hit.stop_record_id)
        arrest = records.get(s, record_id=hit.arrest_record_id)
        assert (stop.kind, stop.vrm, stop.stop_reason, stop.result, stop.anpr_hit_ref, stop.ref) == (
            "vehicle_stop", "AB12CDE", "anpr_hit", "arrest", f"ANPR-HIT-{ids[1]}", f"ANPR-HIT-{ids[1]}-STOP")
        assert (arrest.kind, arrest.source_record_id, arrest.person_ref, arrest.entered_by) == (
            "arrest", stop.id, "P-0042", "pc1")
        assert (stop.lat, stop.lon, stop.area_id is not None) == (52.235, -0.895, True)
        assert service.conversion(s)["arrests"] == 1


def test_stop_without_arrest_and_not_located(accepted):
    from clearhold.record import service as records

    engine, ids = accepted
    with session_scope(engine) as s:
        hit = flows.record_outcome(s, hit_id=ids[0], outcome="searched", by="pc1", operation="op-test", at=AT)
        assert (records.get(s, record_id=hit.stop_record_id).result, hit.arrest_record_id) == ("search", None)
        hit = flows.record_outcome(s, hit_id=ids[2], outcome="not_located", by="pc1", operation="op-test", at=AT)
        assert (hit.outcome, hit.stop_record_id) == ("not_located", None)


def test_flow_errors(accepted):
    engine, ids = accepted
    with session_scope(engine) as s:
        with pytest.raises(InvalidInput, match="person_ref was not given"):
            flows.record_outcome(s, hit_id=ids[0], outcome="arrest", by="pc1", operation="op-test", at=AT)
        with pytest.raises(InvalidInput, match="offence was 'knife'"):
            flows.record_outcome(s, hit_id=ids[0], outcome="arrest", by="pc1", operation="op-test", at=AT,
                                 person_ref="P-1", offence="knife")
        with pytest.raises(InvalidInput, match="offences were not given"):
            flows.record_outcome(s, hit_id=ids[0], outcome="arrest", by="pc1", operation="op-test", at=AT,
                                 person_ref="P-0001")
        with pytest.raises(InvalidInput, match="person_ref was 'bob smith'"):
            flows.record_outcome(s, hit_id=ids[0], outcome="arrest", by="pc1", operation="op-test", at=AT,
                                 person_ref="bob smith", offence="Robbery:street robbery")
    with session_scope(engine) as s:
        flows.record_outcome(s, hit_id=ids[0], outcome="stopped", by="pc1", operation="op-test", at=AT)
        with pytest.raises(Conflict, match="already has outcome 'stopped'"):
            flows.record_outcome(s, hit_id=ids[0], outcome="stopped", by="pc1", operation="op-test", at=AT)
