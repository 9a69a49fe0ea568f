"""Configuration: secrets from PEERLIFT_* only, and no sandbox in production."""

from __future__ import annotations

import pytest

import config
from config.production import ConfigError
from lti_app import create_app

PROD_ENV = {
    "PEERLIFT_SECRET_KEY": "s" * 40,
    "PEERLIFT_DATABASE_URL": "sqlite://",
    "PEERLIFT_BASE_URL": "https://peerlift.example.org",
}


def test_production_needs_its_secrets(monkeypatch) -> None:
    for key in PROD_ENV:
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(ConfigError, match="PEERLIFT_SECRET_KEY"):
        config.load("production")


def test_production_needs_an_https_base_url(monkeypatch) -> None:
    for key, value in PROD_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PEERLIFT_BASE_URL", "http://peerlift.example.org")
    with pytest.raises(ConfigError, match="https"):
        config.load("production")


def test_sandbox_cannot_be_enabled_in_production(monkeypatch) -> None:
    for key, value in PROD_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PEERLIFT_SANDBOX", "1")
    settings = config.load("production")
    assert settings["SANDBOX_ENABLED"] is False
    app = create_app({"ENV_NAME": "production", "SANDBOX_ENABLED": True})
    assert app.test_client().get("/sandbox/").status_code == 404


def test_production_cookies_are_secure_and_hsts_is_sent(monkeypatch) -> None:
    for key, value in PROD_ENV.items():
        monkeypatch.setenv(key, value)
    app = create_app({"ENV_NAME": "production"})
    assert app.config["COOKIE_SECURE"] is True
    with app.app_context():
        from lti_app.extensions import db

        db.create_all()
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 200
    assert "Strict-Transport-Security" in resp.headers
    assert "X-Frame-Options" not in resp.headers


def test_development_defaults_to_sqlite_and_localhost(monkeypatch) -> None:
    monkeypatch.delenv("PEERLIFT_DATABASE_URL", raising=False)
    monkeypatch.delenv("PEERLIFT_BASE_URL", raising=False)
    settings = config.load("development")
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert settings["BASE_URL"] == "http://localhost:5000"
    assert settings["COOKIE_SECURE"] is False


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(RuntimeError, match="PEERLIFT_ENV"):
        config.load("staging")


def test_unexpected_errors_render_a_page_without_a_stack_trace(app) -> None:
    @app.get("/boom-for-test")
    def boom() -> str:
        raise RuntimeError("secret internals")

    resp = app.test_client().get("/boom-for-test")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 500
    assert "secret internals" not in body and "Traceback" not in body
    assert "Something went wrong" in body
