"""The embedded SQLite database busy with another writer: the request runs again
(SQLite rolled the attempt back, no job left), instead of "briefly unavailable"."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy.exc import OperationalError

from lti_app.app_setup import SQLITE_BUSY_RETRIES
from tests.conftest import make_app


def _busy() -> OperationalError:
    orig = sqlite3.OperationalError("database is locked")
    orig.sqlite_errorcode = 517  # type: ignore[attr-defined]  # SQLITE_BUSY_SNAPSHOT
    return OperationalError("UPDATE …", {}, orig)


def _app_with(tmp_path: Any, view: Any) -> Any:
    app = make_app(tmp_path)
    app.add_url_rule("/_busy_test", "busy_test", view, methods=["POST"])
    return app


def test_a_request_that_met_a_busy_database_runs_again_and_succeeds(tmp_path: Any) -> None:
    calls: list[str] = []

    def view() -> str:
        calls.append("x")
        if len(calls) < 3:
            raise _busy()
        return "saved"

    resp = _app_with(tmp_path, view).test_client().post("/_busy_test", data={"a": "1"})
    assert resp.status_code == 200 and resp.get_data(as_text=True) == "saved"
    assert len(calls) == 3


def test_a_database_that_stays_busy_gets_the_readable_unavailable_page(tmp_path: Any) -> None:
    calls: list[str] = []

    def view() -> str:
        calls.append("x")
        raise _busy()

    resp = _app_with(tmp_path, view).test_client().post("/_busy_test")
    assert resp.status_code == 503
    assert "briefly unavailable" in resp.get_data(as_text=True)
    assert len(calls) == 1 + SQLITE_BUSY_RETRIES


def test_other_operational_errors_are_not_run_again(tmp_path: Any) -> None:
    calls: list[str] = []

    def view() -> str:
        calls.append("x")
        raise OperationalError("SELECT …", {}, sqlite3.OperationalError("no such table: t"))

    resp = _app_with(tmp_path, view).test_client().post("/_busy_test")
    assert resp.status_code == 503 and len(calls) == 1
