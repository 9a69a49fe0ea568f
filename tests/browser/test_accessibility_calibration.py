"""Accessibility of what calibration and self-assessment add (issue 20, rows 1 and 2):
axe-core in a real Chromium, as in ``test_accessibility``. Its own module: the
journeys' module-scoped browser must not be running when the audit starts one."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_accessibility import _audit
from tests.peer_review.support import ANA, BEN, PeerReviewDriver
from tests.support.lti import INSTRUCTOR as STAFF
from tests.support.platform_server import LiveServer


@pytest.mark.committed_db  # served live: its threads must see what the test commits
def test_calibration_pages_have_no_serious_accessibility_violations(
    lti: Any, app: Any, tmp_path: Any, request: pytest.FixtureRequest
) -> None:
    """axe-core on the pages calibration and self-assessment add or change."""
    app.config["PEER_REVIEW_UPLOAD_DIR"] = str(tmp_path / "uploads")
    pr = PeerReviewDriver(lti, app)
    pr.create_activity(reviews_per_submission="1")
    staff = pr.enter(STAFF)
    settings = {
        "t": staff.token,
        "calibration": "required",
        "calibration_tolerance": "80",
        "calibration_tries": "2",
        "self_assessment": "optional",
        "self_assessment_weight": "10",
    }
    assert (
        pr.client.post(f"/pr/{pr.activity}/calibration/settings", data=settings).status_code == 303
    )
    points = {f"c-{pid}": "3" for pid, _ in pr.criteria()}
    data = {"t": staff.token, "title": "Ex", "body": "An example.", **points}
    assert pr.client.post(f"/pr/{pr.activity}/examples", data=data).status_code == 303
    a, b = pr.enter(ANA), pr.enter(BEN)
    pr.submit(a)
    pr.submit(b)
    aid = pr.activity
    with LiveServer(app) as server:
        _audit(
            server.url,
            {
                "calibration, instructor dashboard": f"/a/{aid}?t={pr.enter(STAFF).token}",
                "calibration, learner page": f"/a/{aid}?t={a.token}",
                "calibration page": f"/pr/{aid}/calibration?t={a.token}",
            },
            request,
        )
