"""The CSP frame-ancestors of every page names only the registered platforms'
origins: the issuer's and login URL's, plus those a verified launch showed the
platform frames the tool from (Canvas frames from the institution's domain)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from lti_app.lms.frame_origins import candidates_from_launch, origin_of

PRESENTATION = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"


def _ancestors(resp: Any) -> list[str]:
    csp = resp.headers["Content-Security-Policy"]
    found = re.search(r"frame-ancestors ([^;]+)", csp)
    assert found is not None, csp
    return found.group(1).split()


def _presenting(url: str) -> Any:
    def mutate(claims: dict[str, Any]) -> None:
        claims[PRESENTATION] = {"document_target": "iframe", "return_url": url}

    return mutate


def test_a_launched_page_may_be_framed_only_by_its_platform(lti: Any) -> None:
    resp = lti.launch(mutate=_presenting("https://acme.instructure.test/courses/7/modules"))
    assert resp.status_code == 200
    ancestors = _ancestors(resp)
    assert ancestors[0] == "'self'"
    assert origin_of(lti.platform.issuer) in ancestors
    assert "https://acme.instructure.test" in ancestors  # learned from the launch
    assert "*" not in " ".join(ancestors) and "X-Frame-Options" not in resp.headers
    # The page's own GET address (reload) carries the same list.
    again = lti.client.get(resp.headers["Content-Location"])
    assert "https://acme.instructure.test" in _ancestors(again)


def test_pages_before_any_launch_allow_every_active_platform_and_nobody_else(
    lti: Any, client: Any
) -> None:
    lti.launch(mutate=_presenting("https://lms.school.test/mod/lti/view.php?id=3"))
    resp = client.get("/lti/login", query_string={"iss": "https://unknown.test"})
    ancestors = _ancestors(resp)
    assert "https://lms.school.test" in ancestors
    assert "https://unknown.test" not in ancestors


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        "https://evil.test; script-src *",
        "data:text/html,x",
        "https://*.evil.test/",
        "ftp://files.test/",
        "https://exa mple.test/",
        "",
    ],
)
def test_only_plain_http_origins_can_be_learned(bad: str) -> None:
    assert origin_of(bad) is None
    assert candidates_from_launch({PRESENTATION: {"return_url": bad}}, bad) == []


def test_origins_are_normalised() -> None:
    assert origin_of("HTTPS://LMS.Example.test:443/course?id=1") == "https://lms.example.test"
    assert origin_of("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080"
    assert origin_of("https://[::1]:9000/") == "https://[::1]:9000"
