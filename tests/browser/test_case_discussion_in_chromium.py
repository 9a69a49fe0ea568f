"""A group's thread inside an LMS iframe in a real Chromium with third-party cookies
phased out: a peer's reply appears without a reload (the page's polling script),
and a reply typed in the frame is posted and shown. Only a browser running the
page's JavaScript can exercise this.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from lti_app.extensions import db
from lti_app.lms import frame_origins
from lti_app.lms.models import Registration
from tests.case_discussion.support import DiscussionDriver
from tests.grouping.support import ASHA, BRUNO, CARLA, DEV, GroupingDriver
from tests.support.browser import NO_THIRD_PARTY_COOKIES, chromium, screenshot_if_failed
from tests.support.platform_server import LiveServer

#: The tool is served live: its threads must see what the test commits.
pytestmark = pytest.mark.committed_db


@pytest.fixture
def served(app: Any) -> Iterator[str]:
    """The test's app on a real port (the tool's origin: 127.0.0.1)."""
    with LiveServer(app) as server:
        yield server.url


@pytest.fixture
def lms_page() -> Iterator[Any]:
    """A page on another site (localhost) that frames a URL, as an LMS does."""
    frames: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = (
                f"<!doctype html><title>LMS</title><h1>Course</h1>"
                f'<iframe name="tool" src="{frames["src"]}" width="900" height="900">'
                f"</iframe>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("localhost", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    class Lms:
        origin = f"http://localhost:{server.server_port}"

        def frame(self, src: str) -> str:
            frames["src"] = src
            return f"{self.origin}/course"

    yield Lms()
    server.shutdown()
    server.server_close()


def _platform_frames_from(app: Any, origin: str) -> None:
    with app.app_context():
        reg = db.session.scalars(select(Registration)).one()
        frame_origins.learn(reg, [origin])
        db.session.commit()


def test_a_site_that_is_not_a_registered_platform_cannot_frame_the_tool(
    lti: Any, app: Any, served: str, lms_page: Any, request: pytest.FixtureRequest
) -> None:
    cd = DiscussionDriver(GroupingDriver(lti, app))
    cd.setup((ASHA, BRUNO, CARLA, DEV))
    thread = cd.new_thread(ASHA, "Options", "Only for framing by our LMS.")
    url = f"{served}/cd/{cd.activity}/threads/{thread}?t={cd.visit(BRUNO).token}"
    with chromium(NO_THIRD_PARTY_COOKIES) as browser:
        page = browser.new_context().new_page()
        try:
            page.goto(lms_page.frame(url))
            page.wait_for_timeout(1500)
            frame = next(f for f in page.frames if f.name == "tool")
            assert "Only for framing by our LMS." not in frame.content()
        finally:
            screenshot_if_failed(request, page)


def test_a_peers_reply_appears_in_the_framed_thread_without_a_reload(
    lti: Any, app: Any, served: str, lms_page: Any, request: pytest.FixtureRequest
) -> None:
    cd = DiscussionDriver(GroupingDriver(lti, app))
    cd.setup((ASHA, BRUNO, CARLA, DEV))
    # Two people of one group.
    group = next(g for g in cd.groups() if len(g) >= 2)
    by_id = {u.sub: u for u in (ASHA, BRUNO, CARLA, DEV)}
    first, second = by_id[group[0]], by_id[group[1]]
    thread = cd.new_thread(first, "Options", "First idea.")
    url = f"{served}/cd/{cd.activity}/threads/{thread}?t={cd.visit(second).token}"
    _platform_frames_from(app, lms_page.origin)  # as a launch from that site teaches it

    with chromium(NO_THIRD_PARTY_COOKIES) as browser:
        page = browser.new_context().new_page()
        page.set_default_timeout(20_000)
        try:
            page.goto(lms_page.frame(url))
            tool = page.frame_locator("iframe[name=tool]")
            tool.get_by_text("First idea.").wait_for()
            assert page.context.cookies(served) == []  # nothing rides in a cookie
            # A reply by the first person arrives by polling (every 5 s), no reload.
            assert cd.reply(first, thread, "Second idea, from a peer.").status_code == 303
            tool.locator("#cd-posts p", has_text="Second idea, from a peer.").wait_for(
                timeout=15_000
            )
            # A reply typed in the frame is posted with the URL token, then shown.
            tool.locator("#cd-reply textarea").fill("My reply from inside the LMS.")
            tool.locator("#cd-reply [type=submit]").click()
            tool.locator("#cd-posts p", has_text="My reply from inside the LMS.").wait_for()
        finally:
            screenshot_if_failed(request, page)
    assert len(cd.post_ids(thread)) == 3
