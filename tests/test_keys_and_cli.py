"""Tool keys (JWKS, rotation) and the admin CLI."""

from __future__ import annotations

import json
from datetime import timedelta

from lti_app.db import utcnow
from lti_app.extensions import db
from lti_app.lms import keys, registry


def test_jwks_publishes_rsa_keys_with_kid_alg_and_use(client) -> None:
    resp = client.get("/lti/jwks")
    assert resp.status_code == 200
    [key] = resp.get_json()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert key["kid"] and key["n"] and key["e"]
    assert "d" not in key and "p" not in key  # never the private part


def test_rotation_publishes_new_key_beside_the_old_and_switches_signing(app, client) -> None:
    runner = app.test_cli_runner()
    with app.app_context():
        old_kid = keys.signing_key().kid
    result = runner.invoke(args=["keys", "rotate", "--overlap-hours", "48"])
    assert result.exit_code == 0, result.output
    kids = [k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]]
    assert len(kids) == 2 and old_kid in kids
    with app.app_context():
        assert keys.signing_key().kid != old_kid
        assert keys.signing_key().kid in kids


def test_rotation_with_delay_keeps_signing_with_the_old_key_until_then(app, client) -> None:
    runner = app.test_cli_runner()
    with app.app_context():
        old_kid = keys.signing_key().kid
    assert runner.invoke(args=["keys", "rotate", "--activate-in", "60"]).exit_code == 0
    assert len(client.get("/lti/jwks").get_json()["keys"]) == 2
    with app.app_context():
        assert keys.signing_key().kid == old_kid


def test_retired_key_leaves_the_jwks(app, client) -> None:
    with app.app_context():
        keys.rotate(timedelta(0), timedelta(0))
        db.session.commit()
        for row in keys.all_keys()[:-1]:
            row.retires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        keys.clear_cache()
    assert len(client.get("/lti/jwks").get_json()["keys"]) == 1


def test_platforms_add_list_and_remove(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "platforms",
            "add",
            "--issuer",
            "https://moodle.example.org",
            "--client-id",
            "AbC",
            "--deployment-id",
            "1",
            "--deployment-id",
            "2",
            "--auth-login-url",
            "https://moodle.example.org/mod/lti/auth.php",
            "--auth-token-url",
            "https://moodle.example.org/mod/lti/token.php",
            "--jwks-url",
            "https://moodle.example.org/mod/lti/certs.php",
            "--name",
            "Acme Moodle",
        ]
    )
    assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(args=["platforms", "list", "--json"]).output)
    acme = next(p for p in listed if p["client_id"] == "AbC")
    assert acme["name"] == "Acme Moodle" and acme["status"] == "active"
    assert [d["deployment_id"] for d in acme["deployments"]] == ["1", "2"]
    result = runner.invoke(
        args=[
            "platforms",
            "remove",
            "--issuer",
            "https://moodle.example.org",
            "--client-id",
            "AbC",
            "--deployment-id",
            "2",
        ]
    )
    assert result.exit_code == 0
    result = runner.invoke(
        args=[
            "platforms",
            "remove",
            "--issuer",
            "https://moodle.example.org",
            "--client-id",
            "AbC",
            "--yes",
        ]
    )
    assert result.exit_code == 0
    with app.app_context():
        assert registry.find_registration("https://moodle.example.org", "AbC") is None


def test_platforms_add_rejects_a_bad_url_with_a_clear_message(app) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "platforms",
            "add",
            "--issuer",
            "https://x",
            "--client-id",
            "c",
            "--deployment-id",
            "1",
            "--auth-login-url",
            "not a url",
            "--auth-token-url",
            "https://x/t",
            "--jwks-url",
            "https://x/j",
        ]
    )
    assert result.exit_code != 0
    assert "auth login URL must be an absolute" in result.output


def test_production_config_refuses_plain_http_registration_urls(tmp_path, monkeypatch) -> None:
    from lti_app.lms.registry import PlatformSpec, RegistryError, validate_spec

    spec = PlatformSpec(
        issuer="https://x",
        client_id="c",
        auth_login_url="http://x/a",
        auth_token_url="https://x/t",
        jwks_url="https://x/j",
    )
    try:
        validate_spec(spec, allow_http=False)
    except RegistryError as exc:
        assert "https" in str(exc)
    else:
        raise AssertionError("http accepted")


def test_platforms_remove_unknown_fails_cleanly(app) -> None:
    result = app.test_cli_runner().invoke(
        args=["platforms", "remove", "--issuer", "https://no", "--client-id", "x", "--yes"]
    )
    assert result.exit_code != 0 and "no registration" in result.output


def test_canvas_json_config_names_our_urls_and_deep_linking_placements(client) -> None:
    cfg = client.get("/lti/config/canvas.json").get_json()
    assert cfg["oidc_initiation_url"] == "http://tool.test/lti/login"
    assert cfg["target_link_uri"] == "http://tool.test/lti/launch"
    assert cfg["public_jwk_url"] == "http://tool.test/lti/jwks"
    placements = cfg["extensions"][0]["settings"]["placements"]
    assert {p["message_type"] for p in placements} == {"LtiDeepLinkingRequest"}


def test_platforms_add_adds_a_deployment_to_an_existing_registration_without_urls(app) -> None:
    runner = app.test_cli_runner()
    base = [
        "platforms",
        "add",
        "--issuer",
        "https://canvas.instructure.com",
        "--client-id",
        "10000000000001",
    ]
    result = runner.invoke(
        args=[
            *base,
            "--deployment-id",
            "12:abc",
            "--auth-login-url",
            "https://sso.canvaslms.com/a",
            "--auth-token-url",
            "https://sso.canvaslms.com/t",
            "--jwks-url",
            "https://sso.canvaslms.com/j",
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=[*base, "--deployment-id", "34:def"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        reg = registry.find_registration("https://canvas.instructure.com", "10000000000001")
        assert [d.deployment_id for d in reg.deployments] == ["12:abc", "34:def"]
        assert reg.jwks_url == "https://sso.canvaslms.com/j"


def test_platforms_add_new_platform_needs_its_urls(app) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "platforms",
            "add",
            "--issuer",
            "https://new.example",
            "--client-id",
            "c",
            "--deployment-id",
            "1",
        ]
    )
    assert result.exit_code != 0 and "--jwks-url" in result.output


def test_a_fresh_installation_publishes_a_key_on_first_use(tmp_path) -> None:
    from tests.conftest import make_app

    (tmp_path / "fresh").mkdir()
    fresh = make_app(tmp_path / "fresh")
    with fresh.app_context():
        db.create_all()
    keys.clear_cache()
    first = fresh.test_client().get("/lti/jwks").get_json()["keys"]
    keys.clear_cache()
    again = fresh.test_client().get("/lti/jwks").get_json()["keys"]
    assert len(first) == 1 and first == again  # created once, then kept


def test_public_ids_are_letters_and_digits_so_the_cli_never_reads_one_as_an_option():
    from lti_app.db import new_public_id

    ids = {new_public_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(i.isalnum() and i.isascii() and len(i) == 16 for i in ids)
