"""The score-posting HTTP client: no retries of its own, proxies like requests."""

from __future__ import annotations

import pytest
import urllib3

from lti_app.lms import service_http
from lti_app.lms.service_http import FastHttp
from tests.support.platform_server import LiveServer


class Proxy:
    """An HTTP proxy stand-in: answers 204 and remembers what it was asked."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []

    def __call__(self, environ, start_response):
        self.seen.append(
            (
                environ["REQUEST_METHOD"],
                environ.get("HTTP_HOST", ""),
                environ.get("HTTP_USER_AGENT", ""),
            )
        )
        start_response("204 No Content", [])
        return [b""]


@pytest.fixture
def proxy(monkeypatch):
    app = Proxy()
    with LiveServer(app) as server:
        monkeypatch.setenv("HTTP_PROXY", server.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        service_http._bypasses_proxy.cache_clear()
        yield app
    service_http._bypasses_proxy.cache_clear()


def test_scores_go_through_the_environments_proxy(proxy):
    answer = FastHttp().post("http://lms.example.invalid/scores", b"{}", {}, 5)
    assert answer.status_code == 204
    assert proxy.seen == [("POST", "lms.example.invalid", service_http.USER_AGENT)]


def test_no_proxy_hosts_are_reached_directly(proxy, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "lms.example.invalid")
    service_http._bypasses_proxy.cache_clear()
    with pytest.raises(urllib3.exceptions.HTTPError):
        FastHttp().post("http://lms.example.invalid/scores", b"{}", {}, 2)
    assert proxy.seen == []


def test_a_failed_post_is_never_repeated_by_the_client():
    calls = []

    def flaky(environ, start_response):
        calls.append(environ["PATH_INFO"])
        start_response("503 Service Unavailable", [("Retry-After", "1")])
        return [b"down"]

    with LiveServer(flaky) as server:
        answer = FastHttp().post(server.url + "/scores", b"{}", {}, 5)
    assert answer.status_code == 503 and len(calls) == 1
