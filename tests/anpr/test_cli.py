"""``clearhold anpr``: JSON output equals the library's, exit codes, refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from clearhold.interfaces.cli.main import app

runner = CliRunner()

HOTLIST = "vrm,reason,priority\nAB12 CDE,violence,high\nXY51ABC,stolen,low\n"
_DAY = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()  # recent, so the rules do not depend on the date
READS = ("read_id,camera_id,captured_at,vrm\n"
         f"r1,C1,{_DAY}T10:00:00Z,ab12 cde\n"
         f"r2,C1,{_DAY}T10:00:01+00:00,AB I2 CDE\n"
         f"r3,C2,{_DAY}T10:00:02,zz99zzz\n"
         f"r4,C2,{_DAY}T10:00:03Z,XY5I ABC\n")


@pytest.fixture
def files(tmp_path):
    (tmp_path / "hot.csv").write_text(HOTLIST)
    (tmp_path / "reads.csv").write_text(READS)
    return tmp_path


def flat(text: str) -> str:
    """Rich wraps long error lines; compare with line breaks folded into spaces."""
    return " ".join(text.split())


def run(*args, env=None):
    return runner.invoke(app, ["anpr", *args], env={"CLEARHOLD_USER": "ana", **(env or {})})


def test_match_json_equals_library(files):
    from clearhold.anpr.files import match_files

    result = run("match", "--hotlist", str(files / "hot.csv"), "--reads", str(files / "reads.csv"), "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got == match_files(files / "hot.csv", files / "reads.csv")
    assert [(h["read_id"], h["vrm_read"], h["vrm_hotlist"], h["match_type"]) for h in got] == [
        ("r1", "AB12CDE", "AB12CDE", "exact"), ("r2", "ABI2CDE", "AB12CDE", "misread"),
        ("r4", "XY5IABC", "XY51ABC", "misread")]
    assert (files / "reads.csv").read_text() == READS  # input unchanged


@pytest.mark.parametrize(("content", "message"), [
    ("read_id,camera_id,vrm\nr1,C1,AB\n", "lacks columns ['captured_at']"),
    ("read_id,camera_id,captured_at,vrm\nr1,C1,yesterday,AB\n", "line 2, field 'captured_at': 'yesterday' is not an ISO 8601"),
    ("read_id,camera_id,captured_at,vrm\nr1,,2026-01-01T00:00:00Z,AB\n", "line 2, field 'camera_id': is empty"),
    ("read_id,camera_id,captured_at,vrm,confidence\nr1,C,2026-01-01T00:00:00Z,AB,high\n", "field 'confidence': 'high' is not a number"),
])
def test_match_bad_reads_file(files, content, message):
    (files / "bad.csv").write_text(content)
    result = run("match", "--hotlist", str(files / "hot.csv"), "--reads", str(files / "bad.csv"), "--json")
    assert result.exit_code == 2
    assert message in flat(result.stderr)


def test_match_bad_hotlist_and_missing_file(files):
    (files / "badhot.csv").write_text("vrm,reason,priority\nAB,x,urgent\n")
    result = run("match", "--hotlist", str(files / "badhot.csv"), "--reads", str(files / "reads.csv"))
    assert result.exit_code == 2 and "field 'priority': 'urgent' is not one of high, medium, low" in flat(result.stderr)
    result = run("match", "--hotlist", str(files / "nope.csv"), "--reads", str(files / "reads.csv"))
    assert result.exit_code == 1 and "does not exist" in flat(result.stderr)


def test_import_hotlist_hits_search_audit_purge(files, tmp_path):
    env = {"CLEARHOLD_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    assert run("hotlist", "load", str(files / "hot.csv"), "--hotlist", "violence", env=env).exit_code == 0
    result = run("import", str(files / "reads.csv"), "--json", env=env)
    assert result.exit_code == 0, result.output
    imported = json.loads(result.stdout)
    assert (imported["accepted"], len(imported["hits"])) == (4, 3)
    again = json.loads(run("import", str(files / "reads.csv"), "--json", env=env).stdout)
    assert (again["accepted"], again["duplicates"], again["hits"]) == (0, 4, [])

    hits = json.loads(run("hits", "list", "--json", env=env).stdout)
    assert [h["match_type"] for h in hits] == ["exact", "misread", "misread"]
    result = run("hits", "ack", str(hits[0]["id"]), "--decision", "accept", env=env)
    assert result.exit_code == 1 and "image_viewed was False" in flat(result.stderr)
    result = run("hits", "ack", str(hits[0]["id"]), "--decision", "accept", "--image-viewed", "--json", env=env)
    assert json.loads(result.stdout)["status"] == "accepted"
    result = run("hits", "outcome", str(hits[0]["id"]), "--outcome", "not_located", "--json", env=env)
    assert json.loads(result.stdout)["outcome"] == "not_located"

    result = run("search", "AB*", "--reason", "inv", "--since", "30d", "--json", env=env)
    assert result.exit_code == 1 and "holds no authorised ANPR role" in flat(result.stderr)
    refused = json.loads(run("audit", "list", "--limit", "1", "--json", env=env).stdout)[0]
    assert (refused["actor"], refused["action"], refused["reason"], refused["query"]["pattern"]) == (
        "ana", "search_refused", "inv", "AB*")
    assert "holds no authorised ANPR role" in refused["query"]["refused"]
    assert run("access", "grant-role", "ana", "--role", "anpr_analyst", "--reason", "post", env={**env, "CLEARHOLD_USER": "admin"}).exit_code == 0
    result = run("search", "AB12CDE", "--reason", "inv", "--since", "30d", "--misread", "--json", env=env)
    assert result.exit_code == 0, result.output
    assert [(r["read_id"], r["match_type"]) for r in json.loads(result.stdout)] == [("r1", "exact"), ("r2", "misread")]

    verified = json.loads(run("audit", "verify", "--json", env=env).stdout)
    assert verified["ok"] is True and verified["rows"] >= 2
    purge = json.loads(run("purge", "--dry-run", "--json", env=env).stdout)
    assert (purge["deleted"], purge["dry_run"]) == (0, True)

    import sqlalchemy as sa

    from clearhold.storage.database import make_engine
    engine = make_engine(env["CLEARHOLD_DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE anpr_audit_log SET reason = 'edited' WHERE id = 1"))
    engine.dispose()
    result = run("audit", "verify", "--json", env=env)
    assert result.exit_code == 1 and json.loads(result.stdout)["first_bad_id"] == 1


def test_generate_writes_files_the_matcher_reads(tmp_path):
    from clearhold.anpr.files import match_files

    result = run("generate", "--out", str(tmp_path / "net"), "--seed", "3", "--days", "1", "--cameras", "30",
                 "--vehicles", "200", "--hotlisted", "20", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cameras"] == 30
    hits = match_files(tmp_path / "net" / "hotlist.csv", tmp_path / "net" / "reads.csv")
    assert hits and {h["match_type"] for h in hits} <= {"exact", "misread"}


def test_hotlist_add_change_expire(tmp_path):
    env = {"CLEARHOLD_DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}"}
    added = json.loads(run("hotlist", "add", "ab12 cde", "--reason", "violence", "--priority", "high",
                           "--marker", "weapons", "--json", env=env).stdout)
    assert (added["vrm"], added["seen"]) == ("AB12CDE", [])
    changed = run("hotlist", "change", str(added["entry_id"]), "--priority", "low", "--owner", "DS Lee", "--json", env=env)
    assert json.loads(changed.stdout)["priority"] == "low"
    bad = run("hotlist", "change", str(added["entry_id"]), "--priority", "urgent", env=env)
    assert bad.exit_code == 2 and "priority was 'urgent'" in flat(bad.stderr)
    assert run("hotlist", "expire", str(added["entry_id"]), env=env).exit_code == 0
    assert json.loads(run("hotlist", "list", "--active", "--json", env=env).stdout) == []
    missing = run("hotlist", "expire", "99", env=env)
    assert missing.exit_code == 1 and "hotlist entry 99 does not exist" in flat(missing.stderr)


def test_where_seen_json_and_geojson_equal_library(files, tmp_path):
    from clearhold.analytics.anpr_where_seen import where_seen_geojson

    env = {"CLEARHOLD_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}
    run("import", str(files / "reads.csv"), env=env)
    run("access", "grant-role", "ana", "--role", "investigator", "--reason", "post", env={**env, "CLEARHOLD_USER": "admin"})
    rows = json.loads(run("where-seen", "AB12CDE", "--reason", "inv", "--misread", "--json", env=env).stdout)
    assert [(r["read_id"], r["match_type"]) for r in rows] == [("r1", "exact"), ("r2", "misread")]
    fc = json.loads(run("where-seen", "AB12CDE", "--reason", "inv", "--geojson", env=env).stdout)
    assert fc == {"type": "FeatureCollection", "features": []}  # no positions for cameras C1/C2
    assert where_seen_geojson(rows) == fc


def test_demo_loads_the_synthetic_network(tmp_path):
    from clearhold.anpr import synthetic

    env = {"CLEARHOLD_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"}
    result = run("demo", "--seed", "4", "--days", "1", "--cameras", "30", "--vehicles", "150", "--hotlisted", "10",
                 "--json", env=env)
    assert result.exit_code == 0, result.output
    net = synthetic.generate(4, days=1, n_cameras=30, n_vehicles=150, n_hotlisted=10)
    loaded = json.loads(result.stdout)["loaded"]
    assert (loaded["cameras"], loaded["hotlist_entries"], loaded["reads"]) == (30, 10, len(net.reads))
    hits = json.loads(run("hits", "list", "--json", env=env).stdout)
    assert len(hits) == loaded["alerts"]
    result = run("demo", "--seed", "4", "--days", "1", "--cameras", "30", "--vehicles", "150", "--hotlisted", "10",
                 "--operation", "nope", "--stops", "1", "--arrests", "0", env={**env, "CLEARHOLD_DATABASE_URL": f"sqlite:///{tmp_path / 'e.db'}"})
    assert result.exit_code == 1 and "nope" in flat(result.stderr)


def test_preserve(files, tmp_path):
    env = {"CLEARHOLD_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}
    run("import", str(files / "reads.csv"), env=env)
    result = run("preserve", "r1", "r2", "--investigation", "Op X", "--json", env=env)
    assert (result.exit_code, json.loads(result.stdout)) == (0, {"preserved": 2, "investigation": "Op X"})
    result = run("preserve", "r3", "nope", "--investigation", "Op X", "--json", env=env)
    assert (result.exit_code, json.loads(result.stdout)["preserved"]) == (1, 1)  # one read does not exist
    result = run("preserve", "r3", "--investigation", " ", env=env)
    assert result.exit_code == 2 and "investigation was empty" in flat(result.stderr)
    last = json.loads(run("audit", "list", "--limit", "1", "--json", env=env).stdout)[0]
    assert (last["action"], last["reason"], last["result_count"]) == ("preserve", "Op X", 1)
