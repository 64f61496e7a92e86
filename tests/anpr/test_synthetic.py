"""The synthetic network is seeded, shaped as documented, and feeds the demo's stops and arrests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest

from clearhold.anpr import demo, plates, service, synthetic
from clearhold.errors import InvalidInput
from clearhold.storage.database import session_scope
from tests.support.ledger import make_operation

START = datetime(2023, 8, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def net():
    return synthetic.generate(7, n_cameras=60, n_vehicles=300, n_hotlisted=30, n_lookalikes=10, n_convoys=4,
                              days=3, start=START, misread_rate=0.05)


def test_same_seed_same_network(net):
    again = synthetic.generate(7, n_cameras=60, n_vehicles=300, n_hotlisted=30, n_lookalikes=10, n_convoys=4,
                               days=3, start=START, misread_rate=0.05)
    assert net.reads.equals(again.reads) and net.cameras.equals(again.cameras)
    other = synthetic.generate(8, n_cameras=60, n_vehicles=300, n_hotlisted=30, n_lookalikes=10, n_convoys=4,
                               days=3, start=START, misread_rate=0.05)
    assert not net.reads["true_vrm"].equals(other.reads["true_vrm"])


def test_shape_of_the_network(net):
    assert len(net.cameras) == 60 and net.cameras["camera_ref"].is_unique
    assert net.cameras["lon"].between(-1.05, -0.75).all() and net.cameras["lat"].between(52.15, 52.33).all()
    assert net.reads["read_id"].is_unique and net.reads["captured_at"].is_monotonic_increasing
    assert net.reads["captured_at"].min() >= START
    assert net.reads["captured_at"].max() < datetime(2023, 8, 4, 1, tzinfo=UTC)  # trips may run past midnight
    assert set(net.hotlist["vrm"]) <= set(net.vehicles.loc[net.vehicles["kind"] == "hotlisted", "vrm"])
    assert len(net.convoys) == 4 and all(c[0] in set(net.hotlist["vrm"]) for c in net.convoys)
    # misreads stay within a confusion class: same key, different text
    bad = net.reads.loc[net.reads["misread"]]
    assert 0.03 < len(bad) / len(net.reads) < 0.07
    assert all(plates.misread_key(v) == plates.misread_key(t) and plates.normalise(v) != t
               for v, t in zip(bad["vrm"], bad["true_vrm"], strict=True))
    # look-alikes share a hotlisted plate's key
    hot_keys = {plates.misread_key(v) for v in net.hotlist["vrm"]}
    looks = net.vehicles.loc[net.vehicles["kind"] == "lookalike", "vrm"]
    assert len(looks) > 0 and all(plates.misread_key(v) in hot_keys for v in looks)
    # traffic peaks by day, not at night
    hours = net.reads["captured_at"].dt.hour.value_counts()
    assert hours.get(8, 0) > 3 * hours.get(3, 0)


def test_convoy_companions_follow_their_leader(net):
    from clearhold.analytics.anpr_companions import companions

    leader, *others = net.convoys[0]
    r = net.reads.rename(columns={"true_vrm": "truth"})
    frame = r.assign(vrm=r["truth"])[["vrm", "camera_id", "captured_at"]]
    result = companions(frame[frame["vrm"] == leader], frame[frame["vrm"] != leader], window_s=60, min_sites=3)
    assert set(others) <= set(result["vrm"])


def test_generate_errors():
    with pytest.raises(InvalidInput, match="n_cameras was 10"):
        synthetic.generate(1, n_cameras=10)
    with pytest.raises(InvalidInput, match="misread_rate was 2"):
        synthetic.generate(1, misread_rate=2)
    with pytest.raises(InvalidInput, match="class_rates had unknown classes"):
        synthetic.generate(1, class_rates={"XY": 1.0})
    with pytest.raises(InvalidInput, match="days was 0"):
        synthetic.generate(1, days=0)
    with pytest.raises(InvalidInput, match="n_convoys was 9"):
        synthetic.generate(1, n_hotlisted=5, n_convoys=9)


def test_demo_flow_makes_stops_and_arrests_from_real_hits(sqlite_engine, net):
    from clearhold.record import service as records

    make_operation(sqlite_engine, "op-a", starts_on=date(2023, 7, 31), ends_on=date(2023, 10, 8))
    with session_scope(sqlite_engine) as s:
        loaded = demo.load_network(s, network=net, preserved_for="Op A")
    assert (loaded["cameras"], loaded["reads"]) == (60, len(net.reads))
    with session_scope(sqlite_engine) as s:
        with pytest.raises(InvalidInput, match="arrests was 5"):
            demo.work_hits(s, network=net, operation="op-a", stops=4, arrests=5)
        out = demo.work_hits(s, network=net, operation="op-a", stops=12, arrests=4, seed=3, tactic="ANPR stops")
    assert (out["stops"], out["arrests"]) == (12, 4)
    assert out["rejected_misread"] + out["rejected_wrong_vehicle"] > 0
    with session_scope(sqlite_engine) as s:
        conv = service.conversion(s)
        assert (conv["stops"], conv["arrests"]) == (12, 4)
        stops = [r for r in records.list_(s, operation_slug="op-a") if r.kind == "vehicle_stop"]
        arrests = [r for r in records.list_(s, operation_slug="op-a") if r.kind == "arrest"]
        assert len(stops) == 12 and len(arrests) == 4
        assert {r.stop_reason for r in stops} == {"anpr_hit"} and all(r.anpr_hit_ref for r in stops)
        assert {a.source_record_id for a in arrests} <= {r.id for r in stops}
        assert np.all([r.occurred_at >= START for r in stops])


def test_stops_fall_inside_the_operation(sqlite_engine, net):
    from clearhold.record import service as records

    make_operation(sqlite_engine, "op-short", starts_on=date(2023, 8, 1), ends_on=date(2023, 8, 3))
    with session_scope(sqlite_engine) as s:
        demo.load_network(s, network=net)
    with pytest.raises(InvalidInput, match="inside operation 'op-short'"), session_scope(sqlite_engine) as s:
        demo.work_hits(s, network=net, operation="op-short", stops=10_000, arrests=0)  # rolled back
    with session_scope(sqlite_engine) as s:
        demo.work_hits(s, network=net, operation="op-short", stops=5, arrests=2, seed=1)
        stops = [r for r in records.list_(s, operation_slug="op-short") if r.kind == "vehicle_stop"]
    assert len(stops) == 5 and {r.occurred_at.date() for r in stops} == {date(2023, 8, 2)}
