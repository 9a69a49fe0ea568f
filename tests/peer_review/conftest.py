"""Fixtures for the peer-review tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.peer_review.support import PeerReviewDriver
from tests.support.templates import TEMPLATES


@pytest.fixture
def pr(lti: Any, app: Any, tmp_path: Any) -> PeerReviewDriver:
    app.jinja_env.bytecode_cache = TEMPLATES
    app.config["PEER_REVIEW_UPLOAD_DIR"] = str(tmp_path / "uploads")
    return PeerReviewDriver(lti, app)
