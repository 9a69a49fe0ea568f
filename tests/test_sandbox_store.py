"""The sandbox state store, and the guarantee that the sandbox never runs in production."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from lti_app import create_app
from lti_app.sandbox import mount
from lti_app.sandbox.store import DEMO_COURSE_ID, SandboxStore


def _score(timestamp: str, given: float = 1) -> dict[str, object]:
    return {
        "userId": "sandbox-ben",
        "scoreGiven": given,
        "scoreMaximum": 10,
        "timestamp": timestamp,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
    }


def test_state_survives_a_restart_and_is_written_atomically(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    store = SandboxStore(path)
    link = store.add_link(
        DEMO_COURSE_ID,
        url="http://tool.test/lti/launch",
        title="Journal",
        text="",
        custom={"peerlift_activity": "a1"},
    )
    assert json.loads(path.read_text())["links"][link["id"]]["title"] == "Journal"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temp files left
    assert SandboxStore(path).link(DEMO_COURSE_ID, link["id"]) == link


def test_a_reset_by_another_process_reaches_a_running_store(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    running = SandboxStore(path)
    running.add_link(DEMO_COURSE_ID, url="u", title="Old", text="", custom={})
    SandboxStore(path).reset()  # what `flask sandbox reset` does
    assert running.links(DEMO_COURSE_ID) == []
    assert not path.exists()


def test_returned_records_are_copies() -> None:
    store = SandboxStore()
    link = store.add_link(DEMO_COURSE_ID, url="u", title="T", text="", custom={"k": "v"})
    link["custom"]["k"] = "changed"
    store.links(DEMO_COURSE_ID)[0]["custom"]["k"] = "changed"
    stored = store.link(DEMO_COURSE_ID, link["id"])
    assert stored is not None and stored["custom"] == {"k": "v"}


def test_scores_need_a_later_second_like_moodle() -> None:
    store = SandboxStore()
    assert store.put_score("li", _score("2026-03-01T10:00:00.100Z"))
    assert not store.put_score("li", _score("2026-03-01T10:00:00.900Z"))  # same second
    assert not store.put_score("li", _score("2026-03-01T10:59:59+01:00"))  # 09:59:59Z
    assert store.put_score("li", _score("2026-03-01T11:00:01+01:00", given=9))
    assert store.scores("li")["sandbox-ben"]["scoreGiven"] == 9


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError):
        SandboxStore().put_score("li", _score("2026-03-01T10:00:00"))


def test_single_use_values() -> None:
    store = SandboxStore()
    assert store.use_jti("j1", 9e9) and not store.use_jti("j1", 9e9)
    token = store.new_registration_token()
    assert store.registration_token_valid(token)
    assert store.take_registration_token(token) and not store.take_registration_token(token)
    request_id = store.new_dl_request(DEMO_COURSE_ID, "sandbox-ada")
    assert (store.take_dl_request(request_id) or {}).get("user") == "sandbox-ada"
    assert store.take_dl_request(request_id) is None


def test_access_tokens_carry_their_scopes() -> None:
    store = SandboxStore()
    token = store.issue_token(["s1"], 60)
    assert store.token_scopes(token) == frozenset({"s1"})
    assert store.token_scopes(store.issue_token(["s2"], -1)) is None
    assert store.token_scopes("nope") is None


def test_the_call_log_keeps_the_last_fifty_newest_first() -> None:
    store = SandboxStore()
    for n in range(60):
        store.log_call("GET", f"/sandbox/api/{n}", 200)
    calls = store.calls()
    assert len(calls) == 50 and calls[0]["path"] == "/sandbox/api/59"


def test_production_never_mounts_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERLIFT_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("PEERLIFT_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("PEERLIFT_BASE_URL", "https://peerlift.example.org")
    monkeypatch.setenv("PEERLIFT_SANDBOX", "1")
    app = create_app({"ENV_NAME": "production"})
    assert "peerlift.sandbox" not in app.extensions
    assert "sandbox" not in app.cli.commands
    assert app.test_client().get("/sandbox/jwks").status_code == 404
    bare = Flask(__name__)
    bare.config.update(ENV_NAME="production", BASE_URL="https://x", SECRET_KEY="k")
    with pytest.raises(RuntimeError):
        mount(bare)
