"""Fixtures: the app per test on a database schema built once per run (each test in
a rolled-back transaction, or a committed copy: ``tests/support/database.py``), a
live platform JWKS server per session."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lti_app import create_app
from lti_app.extensions import db
from lti_app.jobs.runners import ThreadDispatcher
from lti_app.lms import keys, registry
from lti_app.lms.registry import PlatformSpec
from lti_app.sandbox.platform import SandboxPlatform
from tests.support.database import copy_sqlite, joined_transaction, truncate_all
from tests.support.lti import LtiDriver
from tests.support.platform_server import JwksApp, LiveServer
from tests.support.routing import share_compiled_rules

#: CI sets this: tests that need PostgreSQL/Redis fail instead of skipping.
REQUIRE_SERVICES = os.environ.get("PEERLIFT_REQUIRE_SERVICES") == "1"
PG_URL = os.environ.get(
    "PEERLIFT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/peerlift_test"
)
REDIS_URL = os.environ.get("PEERLIFT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

share_compiled_rules()


@pytest.fixture(scope="session")
def platform_server() -> Iterator[tuple[LiveServer, SandboxPlatform, JwksApp]]:
    holder: dict[str, SandboxPlatform] = {}
    jwks_app = JwksApp(lambda: holder["platform"].jwks())
    with LiveServer(jwks_app) as server:
        holder["platform"] = SandboxPlatform(issuer=server.url + "/platform")
        yield server, holder["platform"], jwks_app


@pytest.fixture
def platform(platform_server: Any) -> SandboxPlatform:
    return platform_server[1]


def make_app(tmp_path: Any, **overrides: Any) -> Flask:
    cfg = {
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'peerlift.db'}",
    }
    cfg.update(overrides)
    return create_app(cfg)


def register_platform(platform: SandboxPlatform, jwks_url: str, **kw: Any) -> Any:
    spec = PlatformSpec(
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_login_url=platform.auth_login_url,
        auth_token_url=platform.token_url,
        jwks_url=jwks_url,
        name=kw.pop("name", "Test LMS"),
    )
    return registry.add_platform(spec, [platform.deployment_id], **kw)


def seed(platform_server: Any) -> None:
    """What every test database starts with: the test platform and a tool key."""
    server, platform, _ = platform_server
    register_platform(platform, server.url + "/jwks")
    keys.ensure_key()
    db.session.commit()


@pytest.fixture(scope="session")
def sqlite_template(platform_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded SQLite database built once per run; tests copy it or join it."""
    path = tmp_path_factory.mktemp("template") / "peerlift.db"
    application = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
    )
    with application.app_context():
        db.create_all()
        seed(platform_server)
        db.session.remove()
        db.engine.dispose()
    keys.clear_cache()
    return path


@pytest.fixture(scope="session")
def shared_sqlite(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's database for the default ``app``: every test joins a transaction
    on it that is rolled back afterwards."""
    return copy_sqlite(sqlite_template, tmp_path_factory.mktemp("shared") / "peerlift.db")


def _app_on(path: Path) -> Flask:
    application = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
    )
    application.extensions["peerlift.platform_keys"].clear()
    return application


@pytest.fixture
def app(
    request: pytest.FixtureRequest, shared_sqlite: Path, sqlite_template: Path, tmp_path: Any
) -> Iterator[Flask]:
    """The tool on SQLite with the test platform registered and a tool key.

    Default: inside one transaction rolled back after the test (fast; the app's own
    commits end SAVEPOINTs). Tests marked ``committed_db`` (live servers, threads,
    other processes must see the writes) get a committed copy of the template."""
    if request.node.get_closest_marker("committed_db") or "make_lms" in request.fixturenames:
        application = _app_on(copy_sqlite(sqlite_template, tmp_path / "peerlift.db"))
        yield application
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
    else:
        application = _app_on(shared_sqlite)
        with joined_transaction(application):
            yield application
    keys.clear_cache()


@pytest.fixture(autouse=True)
def _no_job_thread_outlives_its_test() -> Iterator[None]:
    """An app in "thread" jobs mode (live servers, the embedded default) starts a
    background thread that sweeps every few seconds; left running, it swept the
    test's deleted database for the rest of the run ("no such table" noise) and, in
    the statement-count tests, cleared the process's registry cache mid-test."""
    yield
    ThreadDispatcher.stop_all()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def lti(client: FlaskClient, platform: SandboxPlatform) -> LtiDriver:
    return LtiDriver(client, platform)


@pytest.fixture
def make_lms(app: Flask) -> Iterator[Any]:
    """Start a live LMS (the sandbox on its own port) with ``members`` generated
    learners; the tool is served live too, for the JWKS the LMS checks tokens with
    (so ``app`` is on a committed database for tests using this)."""
    from tests.support.lms_services import ServicesLms

    stack = contextlib.ExitStack()
    tool = stack.enter_context(LiveServer(app))

    def start(members: list[Any] | None = None) -> ServicesLms:
        return stack.enter_context(ServicesLms(tool.url, members))

    with stack:
        yield start


def services_available() -> str | None:
    """None when PostgreSQL and Redis answer, else why not."""
    try:
        import psycopg
        import redis

        dsn = PG_URL.replace("postgresql+psycopg://", "postgresql://")
        admin = dsn.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (dsn.rsplit("/", 1)[1],)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{dsn.rsplit("/", 1)[1]}"')
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture
def services() -> None:
    """Require the real PostgreSQL and Redis: skip on a laptop, fail in CI."""
    why = services_available()
    if why:
        if REQUIRE_SERVICES:
            pytest.fail(f"PostgreSQL/Redis required in CI but unavailable: {why}")
        pytest.skip(f"PostgreSQL/Redis not available: {why}")


#: The PostgreSQL schema is (re)created once per run, by the first ``postgres_app``.
_pg_schema: dict[str, bool] = {}


@contextlib.contextmanager
def postgres_app(
    platform_server: Any = None, *, rollback: bool = False, **overrides: Any
) -> Iterator[Flask]:
    """An app on the real PostgreSQL test database with empty tables (and the test
    platform registered when ``platform_server`` is given). For tests marked
    ``services`` (use the ``services`` fixture first).

    The schema is created once per run. By default the tables are emptied
    (``TRUNCATE``) and the test's writes are committed, for tests whose workers,
    threads or servers must see them; ``rollback=True`` runs the test inside one
    transaction rolled back afterwards (faster, and nothing to empty)."""
    app = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": PG_URL, "REDIS_URL": "", **overrides}
    )
    with app.app_context():
        if not _pg_schema.get(PG_URL):
            db.drop_all()
            db.create_all()
            db.session.remove()
            _pg_schema[PG_URL] = True
    truncate_all(app)

    def close() -> None:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        keys.clear_cache()

    with contextlib.ExitStack() as stack:
        stack.callback(close)
        if rollback:
            stack.enter_context(joined_transaction(app))
        with app.app_context():
            if platform_server is not None:
                server, platform, _ = platform_server
                register_platform(platform, server.url + "/jwks")
            keys.ensure_key()
            db.session.commit()
        yield app


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Any ``-n`` run (``make test`` uses ``--dist loadfile``) keeps every
    PostgreSQL/Redis test on one worker, since they share one database and Redis db:
    see ``tests/support/schedule.py``. (``--dist each`` runs everything everywhere.)"""
    if config.getoption("dist") in ("each", "no"):
        return None
    from tests.support.schedule import ServicesTogether

    return ServicesTogether(config, log)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    """Expose each phase's report on the test item (browser tests screenshot on failure)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, "rep_" + report.when, report)
