"""Screenshots of every Peerlift page type, inside the sandbox LMS's frame, at
800x700 and 1280x800 (``make screenshots``; or ``python docs/screenshots/capture.py``).

It starts the tool with its sandbox LMS on a free port (a throw-away SQLite
database; the demo cohort seeded as ``make run`` does), adds the four activities
by deep linking as the instructor, lets a few learners take part, and then opens
each page type in Debian's Chromium (``PEERLIFT_CHROMIUM``, default
/usr/bin/chromium) inside the sandbox's tool frame. The frame grows to the
tool's page (``lti.frameResize``), so a full-page screenshot of the LMS page shows
the whole tool page. Each PNG is scaled and reduced to a palette so it stays
under 150 KB, and written to this directory as ``<page>-<width>.png``.
"""

from __future__ import annotations

import io
import os
import re
import socket
import sys
import tempfile
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from PIL import Image  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from lti_app import create_app  # noqa: E402
from lti_app.extensions import db  # noqa: E402
from lti_app.peer_activities.journal import clock  # noqa: E402
from lti_app.sandbox import sandbox_of  # noqa: E402
from lti_app.sandbox.platform import DEMO_COURSE  # noqa: E402

SIZES = ((800, 700), (1280, 800))
MAX_BYTES = 150_000
CTX = DEMO_COURSE["id"]
INSTRUCTOR = "sandbox-ada"
LEARNERS = ("sandbox-ben", "sandbox-eli", "sandbox-fatima")
CHROMIUM = os.environ.get("PEERLIFT_CHROMIUM", "/usr/bin/chromium")
WHAT = "What? What happened, what did you do or notice?"
SO_WHAT = "So what? Why does it matter, what did you learn?"
NOW_WHAT = "Now what? What will you do differently at work?"


def small_png(raw: bytes) -> bytes:
    """``raw`` as a PNG under MAX_BYTES, still readable: a 1280 px shot is scaled to
    960 px, the colours reduced to a palette, and a page too long for that is cut
    at the bottom (the top, with the page's index and main action, is kept)."""
    image = Image.open(io.BytesIO(raw)).convert("RGB")
    if image.width > 800:
        scale = 960 / image.width
        image = image.resize((960, int(image.height * scale)), Image.Resampling.LANCZOS)
    height = image.height
    while True:
        for colours in (64, 32, 16):
            out = io.BytesIO()
            shown = image.crop((0, 0, image.width, height))
            shown.quantize(colors=colours, method=Image.Quantize.MEDIANCUT).save(
                out, format="PNG", optimize=True
            )
            if out.tell() <= MAX_BYTES:
                return out.getvalue()
        height = int(height * 0.85)


class Demo:
    """The tool and its sandbox on a real port, and one browser context per person."""

    def __init__(self, browser: Any, url: str) -> None:
        self.browser, self.url = browser, url
        self.pages: dict[str, Any] = {}

    def page(self, sub: str) -> Any:
        if sub not in self.pages:
            tab = self.browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            tab.set_default_timeout(20_000)
            self.pages[sub] = tab
        return self.pages[sub]

    def tool(self, sub: str) -> Any:
        return self.page(sub).frame_locator("iframe[name=tool]")

    def frame(self, sub: str) -> Any:
        return self.page(sub).frame(name="tool")

    def deep_link(self, kind: str, title: str, **settings: str) -> dict[str, Any]:
        page = self.page(INSTRUCTOR)
        page.goto(f"{self.url}/sandbox/courses/{CTX}/deep-link?user={INSTRUCTOR}")
        tool = self.tool(INSTRUCTOR)
        tool.get_by_label(kind, exact=True).check()
        tool.get_by_label("Title", exact=True).fill(title)
        for name, value in settings.items():
            tool.locator(f"[name='{name}']").fill(value)
        tool.get_by_role("button", name="Add activity").click()
        tool.get_by_text(title, exact=True).wait_for()
        return {"title": title}

    def launch(self, sub: str, link: dict[str, Any], links: list[dict[str, Any]]) -> Any:
        found = next(k for k in links if k["title"] == link["title"])
        self.page(sub).goto(
            f"{self.url}/sandbox/courses/{CTX}/launch?link={found['id']}&user={sub}"
        )
        tool = self.tool(sub)
        tool.get_by_role("heading", level=1, name=link["title"]).wait_for()
        return tool

    def open_in_frame(self, sub: str, path: str) -> Any:
        self.frame(sub).goto(path if path.startswith("http") else self.url + path)
        self.tool(sub).locator("h1").first.wait_for()
        return self.tool(sub)

    def shoot(self, sub: str, name: str) -> None:
        page = self.page(sub)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(400)  # the frame takes the page's new height
            path = HERE / f"{name}-{width}.png"
            path.write_bytes(small_png(page.screenshot(full_page=True)))
            print(f"{path.relative_to(HERE.parents[1])}: {path.stat().st_size // 1024} KB")
        page.set_viewport_size({"width": 1280, "height": 800})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def journeys(demo: Demo, links: Callable[[], list[dict[str, Any]]]) -> None:
    """Set up each activity as in the demo, and shoot each page type."""
    page = demo.page(INSTRUCTOR)
    page.goto(f"{demo.url}/sandbox/")
    demo.shoot(INSTRUCTOR, "sandbox-course")

    # -- role-play ---------------------------------------------------------------------
    rp = demo.deep_link("Role-play pairings", "Practice: difficult conversations")
    ada = demo.launch(INSTRUCTOR, rp, links())
    ada.get_by_role("link", name="Add a scenario").click()
    ada.get_by_label("Title").fill("Saying no to a senior colleague")
    ada.get_by_label(re.compile(r"^Practitioner's card")).fill("Say no; keep the relationship.")
    ada.get_by_label(re.compile(r"^Client's card")).fill("You need this done by Friday.")
    ada.get_by_label(re.compile(r"^Observer's card")).fill("Watch for a clear, kind no.")
    ada.get_by_role("button", name="Save the scenario").click()
    ada.get_by_role("status").first.wait_for()
    demo.shoot(INSTRUCTOR, "role-play-staff-confirmation")
    staff_url = demo.frame(INSTRUCTOR).url
    activity = re.search(r"/a/([^/?]+)", staff_url).group(1)  # type: ignore[union-attr]
    t = re.search(r"[?&]t=([^&#]+)", staff_url).group(1)  # type: ignore[union-attr]
    demo.launch("sandbox-ben", rp, links())
    demo.shoot("sandbox-ben", "role-play-learner")
    demo.open_in_frame(INSTRUCTOR, f"/a/{activity}/settings?t={t}")
    demo.shoot(INSTRUCTOR, "settings")
    demo.open_in_frame(INSTRUCTOR, f"/a/{activity}/grades?t={t}")
    demo.shoot(INSTRUCTOR, "grades")
    demo.open_in_frame(INSTRUCTOR, f"/an/course?t={t}")
    demo.shoot(INSTRUCTOR, "analytics-dashboard")

    # -- peer review ---------------------------------------------------------------------
    pr = demo.deep_link(
        "Peer assessment with feedback",
        "Peer feedback: a change plan",
        **{"peer_review.reviews_per_submission": "1"},
    )
    for n, sub in enumerate(LEARNERS):
        tool = demo.launch(sub, pr, links())
        tool.get_by_label("Your work").fill(f"Change plan {n + 1}: people first, then dates.")
        tool.get_by_role("button", name="Submit").click()
        tool.get_by_role("status").first.wait_for()
    ben = demo.tool("sandbox-ben")
    ben.get_by_role("button", name="Start next review").click()
    ben.get_by_role("heading", name="Review a peer's work").wait_for()
    demo.shoot("sandbox-ben", "peer-review-review-page")
    criteria = ben.locator("fieldset.pr-criterion")
    for i in range(criteria.count()):
        criteria.nth(i).locator("input[type=radio][value='3']").check()
    ben.get_by_label("Overall comment").fill("Clear steps; name who signs off each one.")
    ben.get_by_role("button", name="Submit review").click()
    ben.get_by_role("status").first.wait_for()
    demo.shoot("sandbox-ben", "peer-review-learner")
    demo.launch(INSTRUCTOR, pr, links())
    demo.shoot(INSTRUCTOR, "peer-review-staff")

    # -- case discussion -------------------------------------------------------------------
    cd = demo.deep_link(
        "Case discussion",
        "Case: the merger rumour",
        **{"case_discussion.group_size_min": "3", "case_discussion.group_size_max": "3"},
    )
    ada = demo.launch(INSTRUCTOR, cd, links())
    ada.get_by_role("link", name="Write the case").click()
    ada.get_by_label("Title").fill("The merger rumour")
    ada.get_by_label("The case", exact=True).fill(
        "A rumour of a merger spreads through your team on a Friday afternoon.\n\n"
        "What do you say on Monday morning?"
    )
    ada.get_by_role("button", name="Save the case").click()
    ada.locator("#done").wait_for()
    ada.get_by_role("button", name="Form groups", exact=True).click()
    ada.get_by_role("heading", name=re.compile(r"Draft groups")).wait_for()
    override = ada.get_by_label("Publish anyway, although some groups break a rule")
    if override.count():
        override.check()
    ada.get_by_role("button", name="Publish these groups").click()
    ada.get_by_role("heading", name=re.compile(r"Published groups")).wait_for()
    demo.shoot(INSTRUCTOR, "case-discussion-staff")
    tool = demo.launch("sandbox-ben", cd, links())
    accept = tool.get_by_role("button", name="I accept the group agreement")
    if accept.count():
        accept.click()
    demo.shoot("sandbox-ben", "case-discussion-learner")

    # -- journal -------------------------------------------------------------------------
    jn = demo.deep_link("Reflection journal", "Journal: leading change")
    tool = demo.launch("sandbox-eli", jn, links())
    tool.get_by_label(WHAT).fill("I interrupted twice in the stand-up.")
    tool.get_by_label(SO_WHAT).fill("People stop offering ideas when they are interrupted.")
    tool.get_by_label(NOW_WHAT).fill("Count to three before I speak.")
    tool.get_by_role("button", name="Save the entry").click()
    tool.locator("#done").wait_for()
    tool.get_by_label("What I will try", exact=True).fill("Let others speak first")
    tool.get_by_label("By when (YYYY-MM-DD)", exact=True).fill("2027-01-15")
    tool.get_by_label("How I will know it worked", exact=True).fill("Everyone speaks before I do")
    tool.get_by_role("button", name="Add to my plan").click()
    tool.get_by_text(re.compile(r"You completed your journal on")).wait_for()
    demo.shoot("sandbox-eli", "journal-learner")
    demo.launch(INSTRUCTOR, jn, links())
    demo.shoot(INSTRUCTOR, "journal-staff")
    real_now = clock.now
    clock.now = lambda: real_now() + timedelta(days=30, minutes=5)  # type: ignore[assignment]
    try:
        tool = demo.launch("sandbox-eli", jn, links())
        tool.get_by_role("link", name="Answer the check-in").first.click()
        tool.get_by_role("heading", name="Your 30-day check-in").wait_for()
        demo.shoot("sandbox-eli", "journal-check-in")
    finally:
        clock.now = real_now  # type: ignore[method-assign]


def main() -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/peerlift.db",
                "BASE_URL": url,
            }
        )
        with app.app_context():
            db.create_all()
        result = app.test_cli_runner().invoke(args=["sandbox", "register"])
        if result.exit_code != 0:
            print(result.output, file=sys.stderr)
            return 1
        server = make_server("127.0.0.1", port, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
                )
                demo = Demo(browser, url)
                store = sandbox_of(app).store
                try:
                    journeys(demo, lambda: store.links(CTX))
                finally:
                    browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
