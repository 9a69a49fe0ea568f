"""Hostile launch input: control characters, NUL and oversized values (issue 16, finding 8).

A signed claim with a NUL byte, or a 1 MiB login parameter, must get a readable
400 page naming what is wrong, an audit log line, and leave nothing stored: no
people, courses or activities, and no state record of any size.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from lti_app.courses.models import Course, Enrolment, Person
from lti_app.extensions import db
from lti_app.launch.models import LaunchRecord
from lti_app.peer_activities.models import Activity
from lti_app.sandbox.platform import CLAIM
from tests.conftest import postgres_app
from tests.support.lti import INSTRUCTOR, LAUNCH_URL, LtiDriver


def _stored(app: Any) -> int:
    with app.app_context():
        return sum(
            db.session.scalar(select(func.count()).select_from(m)) or 0
            for m in (Person, Course, Enrolment, Activity)
        )


def _state_records(app: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LaunchRecord)) or 0


def _refused(resp: Any, app: Any, caplog: Any, *words: str) -> str:
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400, body
    assert "bad_input" in body and "Nothing was saved" in body
    for word in words:
        assert word in body, body
    assert "Location" not in resp.headers
    assert _stored(app) == 0
    assert any(
        "code=bad_input" in r.getMessage() for r in caplog.records if r.name == "peerlift.audit"
    )
    return body


@pytest.fixture(autouse=True)
def _audit(caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="peerlift.audit")


def _set(path: tuple[str, ...], value: Any):
    def mutate(claims: dict[str, Any]) -> None:
        target = claims
        for key in path[:-1]:  # copies: the sandbox's claim dicts are shared constants
            target[key] = dict(target.get(key) or {})
            target = target[key]
        target[path[-1]] = value

    return mutate


@pytest.mark.parametrize(
    ("path", "value", "shown"),
    [
        (("sub",), "user\x00one", "sub contains a NUL character"),
        (("name",), "Ada\x00Lovelace", "name contains a NUL character"),
        (("given_name",), "Ada\x07", "given name contains the control character U+0007"),
        (("email",), "ada@example.org\r\nBcc: x", "email contains the control character"),
        ((CLAIM + "context", "title"), "Course\x00", "course title contains a NUL"),
        ((CLAIM + "context", "id"), "ctx\x1b", "context id contains the control character"),
        ((CLAIM + "resource_link", "title"), "Link\x00", "link title contains a NUL"),
        ((CLAIM + "resource_link", "id"), "link\x00", "resource link id contains a NUL"),
        ((CLAIM + "deployment_id",), "dep\x00", "deployment id contains a NUL"),
        (("sub",), "u" * 256, "sub is longer than 255 characters"),
        (("name",), "N" * 256, "name is longer than 255 characters"),
        (("email",), "e" * 250 + "@x.org", "email is longer than 255 characters"),
        ((CLAIM + "context", "title"), "T" * 5000, "course title is longer than 1024"),
        (
            (CLAIM + "launch_presentation", "return_url"),
            "https://lms.example/r t",
            "return URL contains spaces",
        ),
        ((CLAIM + "custom", "note"), "a\x00b", "custom parameter note contains a NUL"),
    ],
)
def test_signed_claims_with_control_characters_or_oversized_are_refused_and_nothing_stored(
    lti: LtiDriver, app, caplog, path, value, shown
) -> None:
    resp = lti.launch(mutate=_set(path, value))
    _refused(resp, app, caplog, shown)


def test_a_description_may_have_line_breaks(lti: LtiDriver) -> None:
    resp = lti.launch(
        mutate=_set(
            (CLAIM + "resource_link", "description"), "First line\nSecond line\r\n\tindented"
        )
    )
    assert resp.status_code == 200


def test_names_at_the_bound_are_accepted(lti: LtiDriver, app) -> None:
    resp = lti.launch(mutate=_set(("name",), "N" * 255))
    assert resp.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Person.name)) == "N" * 255


@pytest.mark.parametrize(
    "param",
    ["login_hint", "lti_message_hint", "target_link_uri", "iss", "client_id", "lti_deployment_id"],
)
def test_a_megabyte_login_parameter_is_refused_without_a_state_record(
    lti: LtiDriver, app, caplog, param: str
) -> None:
    resp = lti.login(**{param: "x" * (1024 * 1024)})
    _refused(resp, app, caplog, param.replace("_", " "), "longer than")
    assert len(resp.get_data()) < 20_000
    assert _state_records(app) == 0


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("iss", "https://lms.example\x00.org"),
        ("login_hint", "hint\x00"),
        ("lti_message_hint", "m\x0bsg"),
        ("client_id", "client\x00"),
    ],
)
def test_control_characters_in_login_parameters_are_refused(
    lti: LtiDriver, app, caplog, param: str, value: str
) -> None:
    _refused(lti.login(**{param: value}), app, caplog, param.replace("_", " "))
    assert _state_records(app) == 0


def test_login_parameters_within_bounds_make_a_small_state_record(lti: LtiDriver, app) -> None:
    resp = lti.login(login_hint="h" * 2048, lti_message_hint="m" * 4096)
    assert resp.status_code == 302
    with app.app_context():
        [record] = db.session.scalars(select(LaunchRecord)).all()
        assert len(record.value) < 8 * 1024


def test_an_oversized_id_token_is_refused_before_parsing(lti: LtiDriver, app, caplog) -> None:
    state, _ = lti.start()
    resp = lti.post_launch("a" * (200 * 1024), state)
    _refused(resp, app, caplog, "id token is larger than 128 KiB")


@pytest.mark.parametrize("state", ["s\x00" * 20, "ü" * 43, "x" * 101, "../" * 20])
def test_a_state_that_cannot_be_ours_is_never_looked_up(
    lti: LtiDriver, app, caplog, state: str
) -> None:
    resp = lti.client.post("/lti/launch", data={"id_token": "a.b.c", "state": state})
    assert resp.status_code == 400 and "unknown_state" in resp.get_data(as_text=True)


def test_a_nul_in_an_unverified_issuer_is_refused_before_any_lookup(
    lti: LtiDriver, app, platform, caplog
) -> None:
    state, nonce = lti.start()
    claims = platform.claims(INSTRUCTOR, nonce=nonce, target_link_uri=LAUNCH_URL)
    claims["iss"] = platform.issuer + "\x00"
    resp = lti.post_launch(platform.sign(claims), state)
    _refused(resp, app, caplog, "iss contains a NUL character")


def test_a_non_ascii_ticket_or_state_on_the_storage_confirm_gets_a_readable_page(
    lti: LtiDriver, app
) -> None:
    resp = lti.client.post("/lti/launch/confirm", data={"ticket": "ü\x00", "state": "é"})
    assert resp.status_code == 400
    assert "unknown_ticket" in resp.get_data(as_text=True)


@pytest.mark.services
@pytest.mark.parametrize("field", ["sub", "name"])
def test_a_nul_in_a_signed_claim_is_a_400_on_postgresql_not_a_data_error(
    services, platform_server, platform, caplog, field: str
) -> None:
    """PostgreSQL refuses NUL in text (psycopg DataError, once a 500): refused first."""
    with postgres_app(platform_server, rollback=True) as app:
        driver = LtiDriver(app.test_client(), platform)
        resp = driver.launch(mutate=_set((field,), "x\x00y"))
        _refused(resp, app, caplog, f"{field} contains a NUL character")
        assert driver.launch().status_code == 200  # and the platform keeps working
