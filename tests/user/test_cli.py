"""``clearhold users`` and ``clearhold serve`` from the command line."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from clearhold.interfaces.cli.main import app

PASSWORD = "a long enough password"


def _db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_users_add_reads_the_password_from_stdin_and_matches_the_library(tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["users", "add", "alice", "--role", "supervisor", "--database", _db(tmp_path), "--json"],
                      input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    from clearhold.storage.database import make_engine, session_scope
    from clearhold.user import service
    from clearhold.user.schemas import UserRead

    engine = make_engine(_db(tmp_path))
    with session_scope(engine) as session:
        direct = UserRead.model_validate(service.get(session, name="alice")).model_dump(mode="json")
        assert service.authenticate(session, name="alice", password=PASSWORD).role == "supervisor"
    engine.dispose()
    assert out == direct
    listed = runner.invoke(app, ["users", "list", "--database", _db(tmp_path), "--json"])
    assert [u["name"] for u in json.loads(listed.stdout)] == ["alice"]


def test_users_add_refuses_bad_role_short_password_and_duplicates(tmp_path):
    runner = CliRunner()
    bad_role = runner.invoke(app, ["users", "add", "bob", "--role", "chief", "--database", _db(tmp_path)], input=PASSWORD)
    assert bad_role.exit_code == 2 and "role was 'chief'" in bad_role.stderr
    short = runner.invoke(app, ["users", "add", "bob", "--role", "officer", "--database", _db(tmp_path)], input="short\n")
    assert short.exit_code == 2 and "at least 12" in short.stderr
    assert runner.invoke(app, ["users", "add", "bob", "--role", "officer", "--database", _db(tmp_path)],
                         input=PASSWORD).exit_code == 0
    again = runner.invoke(app, ["users", "add", "bob", "--role", "officer", "--database", _db(tmp_path)], input=PASSWORD)
    assert again.exit_code == 1 and "user 'bob' already exists" in again.stderr


def test_users_token_and_set(tmp_path):
    runner = CliRunner()
    runner.invoke(app, ["users", "add", "carol", "--role", "analyst", "--database", _db(tmp_path)], input=PASSWORD)
    issued = runner.invoke(app, ["users", "token", "carol", "--label", "script", "--database", _db(tmp_path), "--json"])
    assert issued.exit_code == 0
    token = json.loads(issued.stdout)["token"]
    assert token.startswith("chk_")
    changed = runner.invoke(app, ["users", "set", "carol", "--role", "supervisor", "--disable", "--database",
                                  _db(tmp_path), "--json"])
    assert (json.loads(changed.stdout)["role"], json.loads(changed.stdout)["active"]) == ("supervisor", False)
    both = runner.invoke(app, ["users", "set", "carol", "--disable", "--enable", "--database", _db(tmp_path)])
    assert both.exit_code == 2


def test_serve_migrates_and_answers_health(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).with_name("clearhold")
    env = {**os.environ, "CLEARHOLD_HOME": str(tmp_path / "home")}
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        proc = subprocess.Popen([str(exe), "serve", "--host", "127.0.0.1", "--port", str(port), "--database", _db(tmp_path)],
                                env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "clearhold serve did not answer"
                time.sleep(0.3)
        assert r.json()["status"] == "ok"
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()["info"]["title"] == "clearhold"
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/me").status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    assert "clearhold serving on http://127.0.0.1:" in log.read_text()
