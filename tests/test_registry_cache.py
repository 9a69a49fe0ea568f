"""The platform registry is cached in the process (registration and deployment
rows are read on every login, launch and page), yet an administrator's change is
seen by the very next request of this process, whatever path wrote it: any
session that writes a registration or deployment clears the cache (flush and
commit). The cache is on here with a long life, so only that clearing can
explain a change being seen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from lti_app.extensions import db
from lti_app.lms import registry
from lti_app.lms.models import Deployment
from tests.support.lti import LEARNER


@pytest.fixture(autouse=True)
def cached_registry(app: Any) -> Iterator[None]:
    registry.configure_cache(3600)  # after the app, whose factory sets the configured ttl
    try:
        yield
    finally:
        registry.configure_cache(0)


def _edit(app: Any, change: Any) -> None:
    """An administrator's edit through the ORM, committed (no explicit cache call)."""
    with app.app_context():
        change(registry.list_registrations()[0])
        db.session.commit()


def test_an_edited_login_url_is_used_by_the_next_login(lti, app) -> None:
    assert lti.login().status_code == 302  # cached now

    def move(reg: Any) -> None:
        reg.auth_login_url = "https://moved.example/auth"

    _edit(app, move)
    resp = lti.login()
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("https://moved.example/auth?")


def test_a_registration_set_pending_refuses_the_next_login_and_page(lti, app) -> None:
    resp = lti.launch(LEARNER, resource_link={"id": "cached-link"})
    assert resp.status_code == 200
    page = resp.headers["Content-Location"]
    assert lti.client.get(page).status_code == 200  # the page's lookups are cached now

    def suspend(reg: Any) -> None:
        reg.status = "pending"

    _edit(app, suspend)
    refused = lti.login()
    assert refused.status_code == 403
    assert "registration_not_active" in refused.get_data(as_text=True)
    assert lti.client.get(page).status_code == 401  # the session's platform is no longer active


def test_a_deactivated_deployment_refuses_the_next_login(lti, app) -> None:
    assert lti.launch(LEARNER, resource_link={"id": "cached-link"}).status_code == 200

    def deactivate(reg: Any) -> None:
        for dep in db.session.scalars(
            select(Deployment).where(Deployment.registration_id == reg.id)
        ):
            dep.status = "pending"

    _edit(app, deactivate)
    resp = lti.login()  # the login names its deployment (lti_deployment_id)
    assert resp.status_code == 403
    assert "unknown_deployment" in resp.get_data(as_text=True)
