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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from PIL import Image  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from lti_app import create_app  # noqa: E402
from lti_app.extensions import db  # noqa: E402
from lti_app.sandbox import sandbox_of  # noqa: E402
from lti_app.sandbox.platform import DEMO_COURSE, DEMO_USERS  # noqa: E402

SIZES = ((800, 700), (1280, 800))
#: The tool page's height (what the frame grows to), printed beside each shot.
_TALL = "() => Math.ceil(document.body.getBoundingClientRect().height)"
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

    def tab(self, sub: str, name: str) -> Any:
        """Choose the tab ``name`` of a staff activity page; its panel."""
        tool = self.tool(sub)
        tab = tool.get_by_role("tab", name=name, exact=True)
        if tab.get_attribute("aria-selected") != "true":
            tab.click()
        panel = tool.locator(f"#{tab.get_attribute('aria-controls')}")
        panel.wait_for()
        return panel

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
            frame = page.frame(name="tool")
            tall = frame.evaluate(_TALL) if frame is not None else page.evaluate(_TALL)
            size = path.stat().st_size // 1024
            print(f"{path.relative_to(HERE.parents[1])}: {size} KB, page {tall} px")
        page.set_viewport_size({"width": 1280, "height": 800})


def _pick(scope: Any, value: str) -> None:
    """Pick the level worth ``value`` on every rubric criterion inside ``scope``."""
    criteria = scope.locator("fieldset.pr-criterion")
    for i in range(criteria.count()):
        criteria.nth(i).locator(f"input[type=radio][value='{value}']").check()


def _review(tool: Any) -> None:
    tool.get_by_role("button", name="Start next review").click()
    tool.get_by_role("heading", name="Review a peer's work").wait_for()
    _pick(tool.locator("form.pr-rubric"), "3")
    tool.get_by_label("Overall comment").fill("Clear steps; name who signs off each one.")
    tool.get_by_role("button", name="Submit review").click()
    tool.get_by_role("status").first.wait_for()


def role_play_logistics(demo: Demo, rp: dict[str, Any], links: Callable[[], Any]) -> None:
    """Groups published; Eli's group meets at a link, at a proposed time, and its
    practitioner starts round 1 and the shared round clock: the staff page's Rounds tab,
    the learner's logistics and clock."""
    ada = demo.launch(INSTRUCTOR, rp, links())
    ada.get_by_role("button", name="Form groups", exact=True).click()
    ada.get_by_role("heading", name=re.compile(r"^Draft groups")).wait_for()
    override = ada.get_by_label("Publish anyway, although some groups break a rule")
    if override.count():
        override.check()
    ada.get_by_role("button", name="Publish these groups").click()
    ada.get_by_role("heading", name=re.compile(r"^Published groups")).wait_for()
    eli_name = next(u.name for u in DEMO_USERS if u.sub == "sandbox-eli")
    group = ada.locator("article.grouping-group").filter(has_text=eli_name)
    names = {
        n.split(" — ")[0].strip()
        for n in group.locator(".grouping-members li strong").all_inner_texts()
    }
    members = [u.sub for u in DEMO_USERS if u.name in names]
    for sub in members:
        tool = demo.launch(sub, rp, links())
        accept = tool.get_by_role("button", name="I accept the group agreement")
        if accept.count():
            accept.click()
            tool.get_by_role("heading", name="Role-play rounds").wait_for()
    eli = demo.launch("sandbox-eli", rp, links())
    where = eli.locator("#rp-logistics")
    where.get_by_label(re.compile(r"^Add a meeting place")).fill("https://meet.example.com/ltc-101")
    where.get_by_role("button", name="Save the meeting place").click()
    eli.locator("#rp-logistics [data-meeting-place] a").wait_for()
    when = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT14:00")
    eli.locator("#rp-logistics").get_by_label(re.compile(r"^Propose a time")).fill(when)
    eli.locator("#rp-logistics").get_by_role("button", name="Propose this time").click()
    eli.locator("#rp-logistics tr[data-slot]").wait_for()
    for sub in members:
        tool = demo.launch(sub, rp, links())
        start = tool.get_by_role("button", name="Start round 1")
        if start.count():
            start.click()
            tool.get_by_role("button", name="Start the clock for everyone").click()
            tool.locator("[data-round-clock] [data-clock-state]").get_by_text("running").wait_for()
            demo.shoot(sub, "role-play-logistics-and-clock")
            break
    ada = demo.launch(INSTRUCTOR, rp, links())
    demo.tab(INSTRUCTOR, "Rounds")
    demo.shoot(INSTRUCTOR, "role-play-staff-rounds")


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
    demo.shoot(INSTRUCTOR, "role-play-staff")  # its first tab: Groups
    demo.tab(INSTRUCTOR, "Set-up")
    ada.get_by_role("link", name="Add a scenario").click()
    ada.get_by_label("Title").fill("Saying no to a senior colleague")
    ada.get_by_label(re.compile(r"^Practitioner's card")).fill("Say no; keep the relationship.")
    ada.get_by_label(re.compile(r"^Client's card")).fill("You need this done by Friday.")
    ada.get_by_label(re.compile(r"^Observer's card")).fill("Watch for a clear, kind no.")
    ada.get_by_role("button", name="Save the scenario").click()
    ada.get_by_role("status").first.wait_for()
    demo.shoot(INSTRUCTOR, "role-play-staff-confirmation")
    ada.get_by_role("link", name="Edit the checklist").click()
    ada.get_by_role("heading", name="The observer checklist").wait_for()
    ada.get_by_role("button", name="Add an item").click()
    ada.get_by_label("Skill, item 1").fill("Listening")
    ada.get_by_label("What the practitioner does, item 1").fill("Reflects back what was said")
    demo.shoot(INSTRUCTOR, "role-play-checklist-editor")
    ada.get_by_role("button", name="Save the checklist").click()
    ada.get_by_role("status").first.wait_for()
    ada.get_by_role("link", name="Back to the activity").click()
    ada.get_by_role("tab", name="Groups").wait_for()
    staff_url = demo.frame(INSTRUCTOR).url
    activity = re.search(r"/a/([^/?]+)", staff_url).group(1)  # type: ignore[union-attr]
    t = re.search(r"[?&]t=([^&#]+)", staff_url).group(1)  # type: ignore[union-attr]
    demo.launch("sandbox-ben", rp, links())
    demo.shoot("sandbox-ben", "role-play-learner")
    role_play_logistics(demo, rp, links)
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
    ada = demo.launch(INSTRUCTOR, pr, links())
    setup = demo.tab(INSTRUCTOR, "Set-up")
    setup.locator("details.pr-rubric-edit > summary").click()
    setup.get_by_role("link", name="Edit the rubric").click()
    ada.get_by_role("heading", name="The rubric").wait_for()
    demo.shoot(INSTRUCTOR, "peer-review-rubric-editor")
    ada.get_by_role("link", name=re.compile(r"Back to the activity")).first.click()
    setup = demo.tab(INSTRUCTOR, "Set-up")
    setup.locator("details.pr-calibration-setup > summary").click()
    ada.get_by_label("Calibration", exact=True).select_option("required")
    ada.get_by_label("Most tries (required calibration)").fill("2")
    ada.get_by_label("Self-assessment after submitting").select_option("optional")
    ada.get_by_role("button", name="Save calibration and self-assessment").click()
    ada.locator("#done").wait_for()
    add = ada.locator("details.pr-example-add form")
    add.get_by_label("Title").fill("Monday e-mail")
    add.get_by_label("Text of the example").fill("Announce the change by e-mail on Monday.")
    _pick(add, "3")
    add.get_by_label("Why it scores so").fill("Clear, but nobody was consulted.")
    add.get_by_role("button", name="Add example").click()
    ada.locator("#done").wait_for()
    demo.shoot(INSTRUCTOR, "peer-review-staff-setup")
    for n, sub in enumerate(LEARNERS):
        tool = demo.launch(sub, pr, links())
        tool.get_by_label("Your work").fill(f"Change plan {n + 1}: people first, then dates.")
        tool.get_by_role("button", name="Submit").click()
        tool.locator(".pr-work").get_by_text(f"Change plan {n + 1}").wait_for()
        own = tool.locator("section.pr-self form")
        _pick(own, ("4", "2", "3")[n])
        own.get_by_role("button", name="Save my self-assessment").click()
        tool.get_by_text("You rated your own work.").wait_for()
    for n, sub in enumerate(LEARNERS):
        tool = demo.launch(sub, pr, links())
        tool.get_by_role("link", name="Assess the examples").click()
        tool.get_by_role("button", name="Compare with the reference").wait_for()
        if n == 0:
            demo.shoot(sub, "peer-review-calibrating")
        _pick(tool.locator("form.pr-rubric"), "3" if n != 1 else "0")
        tool.locator("form.pr-rubric button[type=submit]").click()
        tool.get_by_role("heading", name=re.compile(r"beside the reference")).wait_for()
        if n == 1:
            demo.shoot(sub, "peer-review-calibration-result")
            _pick(tool.locator("form.pr-rubric"), "3")
            tool.locator("form.pr-rubric button[type=submit]").click()
            tool.get_by_role("heading", name="Your try 2 beside the reference").wait_for()
    for sub in LEARNERS[1:]:  # Eli and Fatima review; Ben's review page is shot below
        tool = demo.launch(sub, pr, links())
        _review(tool)
    ben = demo.launch("sandbox-ben", pr, links())
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
    eli = demo.launch("sandbox-eli", pr, links())
    gap = eli.get_by_role("table", name=re.compile(r"^Your self-assessment compared"))
    gap.wait_for()
    gap.scroll_into_view_if_needed()
    demo.shoot("sandbox-eli", "peer-review-self-gap")
    ada = demo.launch(INSTRUCTOR, pr, links())
    demo.shoot(INSTRUCTOR, "peer-review-staff")  # its first tab: Progress
    ada.locator(".pr-phase details > summary").click()
    demo.shoot(INSTRUCTOR, "peer-review-phase-control")
    demo.tab(INSTRUCTOR, "Checks & results")
    demo.shoot(INSTRUCTOR, "peer-review-staff-checks")

    # -- case discussion -------------------------------------------------------------------
    cd = demo.deep_link(
        "Case discussion",
        "Case: the merger rumour",
        **{"case_discussion.group_size_min": "3", "case_discussion.group_size_max": "3"},
    )
    ada = demo.launch(INSTRUCTOR, cd, links())
    demo.tab(INSTRUCTOR, "Set-up")
    ada.get_by_role("link", name="Write the case").click()
    ada.get_by_label("Title").fill("The merger rumour")
    ada.get_by_label("The case", exact=True).fill(
        "A rumour of a merger spreads through your team on a Friday afternoon.\n\n"
        "What do you say on Monday morning?"
    )
    ada.get_by_role("button", name="Save the case").click()
    ada.locator("#done").wait_for()
    demo.tab(INSTRUCTOR, "Groups")
    ada.get_by_role("button", name="Form groups", exact=True).click()
    ada.get_by_role("heading", name=re.compile(r"Draft groups")).wait_for()
    override = ada.get_by_label("Publish anyway, although some groups break a rule")
    if override.count():
        override.check()
    ada.get_by_role("button", name="Publish these groups").click()
    ada.get_by_role("heading", name=re.compile(r"Published groups")).wait_for()
    demo.shoot(INSTRUCTOR, "case-discussion-staff")  # its first tab: Groups
    demo.tab(INSTRUCTOR, "Discussions")
    demo.shoot(INSTRUCTOR, "case-discussion-staff-discussions")
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
    demo.shoot(INSTRUCTOR, "journal-staff")  # its first tab: Progress
    # The sandbox clock moves the activities' time on, as a newcomer would.
    lms = demo.page("sandbox-eli")
    lms.goto(f"{demo.url}/sandbox/")
    box = lms.locator("[data-sandbox-clock]")
    box.get_by_label("Advance time by (days)").fill("31")
    box.get_by_role("button", name="Advance time").click()
    lms.get_by_text("Moved 31 days ahead").wait_for()
    demo.shoot("sandbox-eli", "sandbox-clock")
    try:
        tool = demo.launch("sandbox-eli", jn, links())
        tool.get_by_role("link", name="Answer the check-in").first.click()
        tool.get_by_role("heading", name="Your 30-day check-in").wait_for()
        demo.shoot("sandbox-eli", "journal-check-in")
    finally:
        lms.goto(f"{demo.url}/sandbox/")
        lms.locator("[data-sandbox-clock]").get_by_role("button", name="Back to real time").click()


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
                except Exception:
                    for (
                        sub,
                        tab,
                    ) in demo.pages.items():  # where it stopped, for the person fixing it
                        tab.screenshot(path=f"{tempfile.gettempdir()}/capture-failed-{sub}.png")
                    raise
                finally:
                    browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
